"""Getting a SparkSession: reuse the running one, or start one and stop it after.

A job run from ``spark-submit`` (or a notebook) already has a session whose
master and memory come from that launcher; ours must not override them. A job
run from the ``linkpedia`` command starts its own session on ``--master`` and
stops it when done. Local masters bind to 127.0.0.1, so a laptop or a CI
machine without a resolvable host name still works, and run the executors'
Python workers on this interpreter, so they import the same linkpedia.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from ..errors import SparkUnavailableError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SparkUnavailableError", "spark_session", "is_local", "parallelism", "require_pyspark"]


def require_pyspark() -> None:
    """Fail with an installable fix when pyspark or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailableError(
            "pyspark is not installed — pip install 'linkpedia[spark]' (it also needs Java 17 or newer)"
        ) from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailableError(
            "Spark needs Java, and no `java` is on PATH nor JAVA_HOME set — "
            "install a Java 17 runtime (e.g. apt-get install openjdk-17-jre-headless)"
        )


def is_local(master: str) -> bool:
    """A ``local``/``local[n]`` master: executors share the driver's file system."""
    return master == "local" or master.startswith("local[")


def parallelism(spark: "SparkSession") -> int:
    return max(1, int(spark.sparkContext.defaultParallelism))


_LOG4J = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
"""


def _quiet_logging() -> str:
    """A log4j2 file: warnings only, without the banner and the native-Hadoop notice."""
    path = os.path.join(tempfile.gettempdir(), f"linkpedia-log4j2-{os.getuid()}.properties")
    with open(path, "w", encoding="utf-8") as f:
        f.write(_LOG4J)
    return path


@contextmanager
def spark_session(master: str = "local[*]", app_name: str = "linkpedia") -> Iterator["SparkSession"]:
    """The active session if there is one (``master`` is then ignored), else a new one.

    A session this function starts is stopped on exit; one it found is left
    running for its owner.
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    launched_by_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    builder = (SparkSession.builder.appName(app_name).config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    if not launched_by_submit:
        builder = builder.master(master)
        if is_local(master):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
            builder = (builder.config("spark.driver.host", "127.0.0.1")
                       .config("spark.driver.bindAddress", "127.0.0.1")
                       .config("spark.sql.shuffle.partitions", "4"))
            if "SPARK_CONF_DIR" not in os.environ:  # a user's own logging set-up wins
                builder = builder.config("spark.driver.extraJavaOptions",
                                         f"-Dlog4j.configurationFile=file:{_quiet_logging()}")
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own runtime errors and Py4J errors here
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SparkUnavailableError(
            f"could not start Spark on {master!r} ({first}) — check the master URL and that Java 17 works "
            "(`java -version`)"
        ) from None
    spark.sparkContext.setLogLevel("WARN")
    try:
        yield spark
    finally:
        spark.stop()
