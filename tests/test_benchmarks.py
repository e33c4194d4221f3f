import pytest

from benchmarks import report, wrk

# wrk 4.1.0's report with --latency, including both kinds of error lines.
REPORT = """\
Running 10s test @ http://127.0.0.1:8123/experts/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    64.10ms    7.82ms    1.20s    85.48%
    Req/Sec    30.90      5.65    40.00     70.00%
  Latency Distribution
     50%  850.00us
     75%   67.96ms
     90%   69.81ms
     99%    1.20s
  12990 requests in 10.01s, 150.23MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec:   1297.70
Transfer/sec:     15.01MB
"""

CLEAN = """\
Running 2s test @ http://127.0.0.1:8765/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    64.10ms    7.82ms  99.96ms   85.48%
    Req/Sec    30.90      5.65    40.00     70.00%
  Latency Distribution
     50%   63.91ms
     75%   67.96ms
     90%   69.81ms
     99%   99.96ms
  62 requests in 2.01s, 583.07KB read
Requests/sec:     30.90
Transfer/sec:    290.55KB
"""


def test_parse_reads_throughput_percentiles_and_size():
    """Requests/s, p50 and p99 come from the distribution, in milliseconds."""
    result = wrk.parse(REPORT)
    assert result.requests == 12990
    assert result.seconds == pytest.approx(10.01)
    assert result.requests_per_second == pytest.approx(1297.70)
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.bytes_read == round(150.23 * 2**20)


def test_parse_counts_non_success_responses_and_socket_errors_as_errors():
    """Errors are non-2xx/3xx responses plus every kind of socket error."""
    result = wrk.parse(REPORT)
    assert result.non_2xx_3xx == 5
    assert result.socket_errors == 5
    assert result.errors == 10


def test_parse_reports_zero_errors_when_wrk_prints_no_error_lines():
    """wrk omits the error lines when there were none."""
    result = wrk.parse(CLEAN)
    assert result.errors == 0
    assert result.p50_ms == pytest.approx(63.91)
    assert result.bytes_read == round(583.07 * 2**10)


def test_parse_refuses_a_report_without_latency_distribution():
    """A run without --latency cannot give percentiles, so it is an error."""
    without = CLEAN.replace("Latency Distribution", "").replace("50%", "")
    with pytest.raises(wrk.WrkOutputError):
        wrk.parse(without)


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [("850.00us", 0.85), ("12.5ms", 12.5), ("1.20s", 1200.0), ("2.00m", 120_000.0)],
)
def test_parse_time_converts_every_wrk_unit_to_milliseconds(text, milliseconds):
    """wrk switches units with magnitude; all of them land in milliseconds."""
    assert wrk.parse_time_ms(text) == pytest.approx(milliseconds)


def test_parse_time_refuses_an_unknown_unit():
    """A unit wrk does not print is an error, not a silent zero."""
    with pytest.raises(wrk.WrkOutputError):
        wrk.parse_time_ms("3.0days")


def fake_size(records, rps, p50_ms, queries=3):
    """Return one size's results with every page at ``rps`` but the ceiling."""
    result = wrk.WrkResult(
        requests=100,
        seconds=10.0,
        requests_per_second=rps,
        latency_ms={50.0: p50_ms, 99.0: p50_ms * 2},
        bytes_read=1000,
        non_2xx_3xx=0,
        socket_errors=0,
    )
    ceiling = wrk.WrkResult(**{**result.__dict__, "requests_per_second": 1000.0})
    urls = {page: f"/{page}/" for page in (*report.PAGE_LABELS, "export")}
    pages = {page: result for page in report.PAGE_LABELS} | {"ceiling": ceiling}
    return {
        "size": records,
        "plan": {"urls": urls},
        "queries": {"uncached": {url: {"queries": queries} for url in urls.values()}},
        "results": {"uncached": pages, "export": result},
    }


def test_targets_are_missed_when_the_list_is_slower_than_half_the_ceiling():
    """The report marks the 0.5x list target missed at 0.45x and met at 0.55x."""
    slow = report.evaluate([fake_size(1_000, 450.0, 10), fake_size(100_000, 450.0, 10)])
    fast = report.evaluate([fake_size(1_000, 550.0, 10), fake_size(100_000, 550.0, 10)])

    def list_target(targets):
        return [met for target, _, met in targets if target.startswith("Uncached list page")]

    assert list_target(slow) == [False]
    assert list_target(fast) == [True]


def test_targets_catch_queries_or_latency_growing_with_the_records():
    """A page whose queries change, or whose p50 more than doubles, misses."""
    targets = report.evaluate(
        [fake_size(1_000, 400.0, 10, queries=3), fake_size(100_000, 400.0, 25, 4)]
    )
    results = {target.split(" ")[0]: met for target, _, met in targets}
    assert results["Queries"] is False
    assert results["p50"] is False
    assert results["Zero"] is True
