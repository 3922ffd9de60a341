"""Running linkpedia's big jobs on Apache Spark, with the single-process results.

``spark_link`` annotates a corpus (JSONL, Parquet or text files) with an
opened KB per executor process; ``spark_build`` builds a KB with page parsing
and occurrence counting on the executors. Both use the running SparkSession
when there is one (``spark-submit``, a notebook), else start one on
``master``. Importing this package does not import pyspark: the functions
raise ``SparkUnavailableError`` with the fix when it (or Java) is missing.
See docs/scaling.md.
"""

from .build import SparkExtractor, SparkOccurrenceCounter, spark_build
from .link import SparkLinkReport, spark_link
from .session import SparkUnavailableError, spark_session

__all__ = [
    "spark_link",
    "SparkLinkReport",
    "spark_build",
    "SparkExtractor",
    "SparkOccurrenceCounter",
    "SparkUnavailableError",
    "spark_session",
]
