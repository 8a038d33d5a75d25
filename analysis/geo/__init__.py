"""Geography: coordinate systems (EPSG:4490/4547, GCJ-02, BD-09), layers, and maps."""
