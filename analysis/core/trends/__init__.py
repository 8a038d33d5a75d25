"""Projections to the target year and target-attainment status (issues 5 and 13).

A township series has five or six annual points (2014–2019), so every projection carries an
interval, the model is chosen by back-testing rather than by in-sample fit, the interval is
widened by what the back-test showed, and a series too short to say anything is refused with a
reason a clerk can read.

* :mod:`~analysis.core.trends.models` — the candidate models, pure functions on numpy arrays;
* :mod:`~analysis.core.trends.projection` — :func:`project`: one series → :class:`Projection`;
  ``project_batch``: many series observed in the same years, fitted at once to the same numbers;
* :mod:`~analysis.core.trends.measures` — the ESCAP and Eurostat progress measures
  (:func:`cagr`, :func:`escap_measure`, :func:`escap_category`, :func:`eurostat_ratio`,
  :func:`eurostat_band`), public so that reports and tests can quote them;
* :mod:`~analysis.core.trends.assessment` — :func:`assess`: one series and one target →
  :class:`Assessment`, with the one status rule;
* :mod:`~analysis.core.trends.batch` — :func:`assess_targets`: the tidy indicator table and the
  targets table → one row per target plus one row per village and township-scoped indicator;
  :func:`scope_series`, the series each is assessed on; every row's series (target, town or
  village) is projected in a batch of those of its indicator and target year that share their
  years.
"""

from analysis.core.aggregate import area_series
from analysis.core.labels import ESCAP_ZH, EUROSTAT_ZH, MODEL_ZH, STATUS_ZH
from analysis.core.trends.assessment import Assessment, assess, contradicts
from analysis.core.trends.batch import (
    COLUMNS,
    PATH_COLUMNS,
    PATH_KEY,
    assess_targets,
    assess_targets_with_paths,
    scope_series,
    scopes_series,
)
from analysis.core.trends.measures import (
    ACCELERATION_RATIO,
    ON_TRACK_RATIO,
    cagr,
    escap_category,
    escap_measure,
    eurostat_band,
    eurostat_ratio,
)
from analysis.core.trends.models import ETS_MIN_POINTS, LOGIT_EPSILON
from analysis.core.trends.projection import (
    DEFAULT_LEVEL,
    MIN_POINTS,
    CandidateScore,
    Projection,
    project,
)

__all__ = [
    "ACCELERATION_RATIO",
    "COLUMNS",
    "DEFAULT_LEVEL",
    "ESCAP_ZH",
    "ETS_MIN_POINTS",
    "EUROSTAT_ZH",
    "LOGIT_EPSILON",
    "MIN_POINTS",
    "MODEL_ZH",
    "ON_TRACK_RATIO",
    "PATH_COLUMNS",
    "PATH_KEY",
    "STATUS_ZH",
    "Assessment",
    "CandidateScore",
    "Projection",
    "area_series",
    "assess",
    "assess_targets",
    "assess_targets_with_paths",
    "cagr",
    "contradicts",
    "escap_category",
    "escap_measure",
    "eurostat_band",
    "eurostat_ratio",
    "project",
    "scope_series",
    "scopes_series",
]
