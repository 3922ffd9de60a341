"""The public surface of ``linkpedia.spark``, and what a user without PySpark sees."""

from __future__ import annotations

import subprocess
import sys

import linkpedia.spark


def test_exported_names_exist():
    assert sorted(linkpedia.spark.__all__) == sorted(
        ["spark_link", "SparkLinkReport", "spark_build", "SparkExtractor", "SparkOccurrenceCounter",
         "SparkUnavailableError", "spark_session"])
    for name in linkpedia.spark.__all__:
        assert getattr(linkpedia.spark, name) is not None


def test_without_pyspark_the_error_says_what_to_install():
    # A fresh interpreter where `import pyspark` fails, as on a machine without the extra.
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "import linkpedia.spark as s\n"
        "assert 'pyspark' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "try:\n"
        "    s.spark_build(['x.xml'], 'kb')\n"
        "except s.SparkUnavailableError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("pyspark is not installed — pip install 'linkpedia[spark]' "
                           "(it also needs Java 17 or newer)")
    assert issubclass(linkpedia.spark.SparkUnavailableError, linkpedia.LinkpediaError)
