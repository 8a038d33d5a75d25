"""Reading what offices send: files, header blocks, the village registry, the problem ledger, validation."""
