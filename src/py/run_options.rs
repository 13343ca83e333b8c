//! Every LoadConfig keyword in one table: how its value is read into a RunConfig, and how `ddbload run`
//! offers it. The CLI's parser is built from this table (`run_options()`); tests check _engine.pyi and
//! README's flag table against it. A new run option is a RunConfig field and a row here.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::config::{number, stages_of};
use super::convert::{config_err, count, extract_decimal};
use crate::config::{
    minutes_to_duration, parse_duration, parse_table_capacity, secs_to_duration, ConfigError,
    RateChange, RunConfig, Timeline,
};

/// Reads one keyword's value into the config: (config, value, keyword, flag).
type Apply = fn(&mut RunConfig, &Bound<'_, PyAny>, &'static str, &'static str) -> PyResult<()>;

pub struct RunOption {
    pub keyword: &'static str,
    /// The CLI flag, which the engine's errors name.
    pub flag: &'static str,
    /// How `ddbload run` offers it (None: set by a distributed run's driver, never by a user).
    pub cli: Option<Cli>,
    pub apply: Apply,
}

pub struct Cli {
    pub group: Group,
    pub kind: Kind,
    pub metavar: Option<&'static str>,
    pub help: &'static str,
    pub default: Shown,
    /// Options that exclude one another share a name ("span": --minutes or --duration).
    pub exclusive: Option<&'static str>,
}

/// The `run --help` section an option appears in.
#[derive(Clone, Copy)]
pub enum Group {
    Load,
    Shape,
    Connection,
    Tables,
    Orders,
}

/// What the parser makes of the text after the flag.
pub enum Kind {
    Count,
    Number,
    Text,
    Choice(&'static [&'static str]),
    /// A flag without a value: present is true.
    Switch,
}

/// The default the help and the README show.
pub enum Shown {
    /// The engine's default as a user would type it (tests check it is RunConfig's), then any words
    /// that follow it in the help.
    Value(&'static str, &'static str),
    /// Words only: the default is not a value one could type ("random, recorded").
    Words(&'static str),
    Nothing,
}

const fn cli(group: Group, kind: Kind, help: &'static str, default: Shown) -> Option<Cli> {
    Some(Cli {
        group,
        kind,
        metavar: None,
        help,
        default,
        exclusive: None,
    })
}

const fn with_metavar(option: Option<Cli>, metavar: &'static str) -> Option<Cli> {
    match option {
        Some(mut c) => {
            c.metavar = Some(metavar);
            Some(c)
        }
        None => None,
    }
}

const fn exclusive(option: Option<Cli>, name: &'static str) -> Option<Cli> {
    match option {
        Some(mut c) => {
            c.exclusive = Some(name);
            Some(c)
        }
        None => None,
    }
}

fn text(value: &Bound<'_, PyAny>, keyword: &str) -> PyResult<String> {
    if !value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{keyword} must be a str, not {}",
            value.get_type().name()?
        )));
    }
    value.extract()
}

/// A preset's name, a workload file's path (str or os.PathLike) or a dict, read and checked by
/// ddbload.workload_file (its mistakes placed at their line and column); None for the workshop.
fn workload_of(value: &Bound<'_, PyAny>) -> PyResult<Option<serde_json::Value>> {
    let encoded: String = value
        .py()
        .import("ddbload.workload_file")?
        .call_method1("workload_json", (value,))?
        .extract()?;
    let parsed: serde_json::Value = serde_json::from_str(&encoded)
        .map_err(|e| PyTypeError::new_err(format!("workload: {e}")))?;
    Ok((!parsed.is_null()).then_some(parsed))
}

/// A GameDay timeline read and encoded by ddbload.gameday_plan's `function` (None: `value` has none).
fn encoded_timeline(
    value: &Bound<'_, PyAny>,
    function: &str,
    option: &'static str,
) -> PyResult<Option<Timeline>> {
    let encoded: Option<String> = value
        .py()
        .import("ddbload.gameday_plan")?
        .call_method1(function, (value,))
        .map_err(|e| timeline_err(value.py(), e, option))?
        .extract()?;
    Ok(encoded.map(|encoded| Timeline { option, encoded }))
}

/// The stage actions of the config's timeline (checked whole against the run's length), which the
/// engine's schedule follows.
pub fn rate_changes(py: Python<'_>, c: &RunConfig) -> PyResult<Vec<RateChange>> {
    let Some(timeline) = &c.timeline else {
        return Ok(Vec::new());
    };
    let changes: Vec<(f64, Option<f64>, f64, f64)> = py
        .import("ddbload.gameday_plan")?
        .call_method1(
            "rate_changes",
            (
                &timeline.encoded,
                c.duration.as_secs_f64(),
                c.is_open_model(),
            ),
        )
        .map_err(|e| timeline_err(py, e, timeline.option))?
        .extract()?;
    Ok(changes
        .into_iter()
        .map(|(at, until, rate, ramp)| RateChange {
            at,
            until,
            rate,
            ramp,
        })
        .collect())
}

/// A timeline's mistake (gameday_plan.TimelineError, a ValueError) as a ConfigError naming `option`.
fn timeline_err(py: Python<'_>, err: PyErr, option: &'static str) -> PyErr {
    if err.is_instance_of::<pyo3::exceptions::PyValueError>(py) {
        return config_err(ConfigError::new(option, err.value(py).to_string()));
    }
    err
}

fn switch(value: &Bound<'_, PyAny>, keyword: &str) -> PyResult<bool> {
    value.extract().map_err(|_| match value.get_type().name() {
        Ok(name) => PyTypeError::new_err(format!("{keyword} must be a bool, not {name}")),
        Err(err) => err,
    })
}

use Group::{Connection, Load, Orders, Shape, Tables};
use Kind::{Choice, Count, Number, Switch, Text};
use Shown::{Nothing, Value, Words};

/// In `run --help` order.
pub static RUN_OPTIONS: &[RunOption] = &[
    RunOption {
        keyword: "threads",
        flag: "--threads",
        cli: cli(Load, Count, "concurrent workers", Value("20", "")),
        apply: |c, v, k, f| { c.threads = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "minutes",
        flag: "--minutes",
        cli: exclusive(
            cli(
                Load,
                Number,
                "how long to run, fractions allowed",
                Value("1", ""),
            ),
            "span",
        ),
        apply: |c, v, _, f| {
            c.duration = minutes_to_duration(number(f, v)?).map_err(config_err)?;
            Ok(())
        },
    },
    RunOption {
        keyword: "duration",
        flag: "--duration",
        cli: exclusive(
            cli(
                Load,
                Text,
                "how long to run, e.g. 90s, 5m, 1h30m (instead of --minutes)",
                Nothing,
            ),
            "span",
        ),
        apply: |c, v, _, f| {
            c.duration = duration(f, v)?;
            Ok(())
        },
    },
    RunOption {
        keyword: "read_ratio",
        flag: "--read-ratio",
        cli: cli(
            Load,
            Number,
            "share of operations that are product reads",
            Value("0.8", ""),
        ),
        apply: |c, v, _, _| { c.read_ratio = v.extract()?; Ok(()) },
    },
    RunOption {
        keyword: "read_op",
        flag: "--read-op",
        cli: cli(
            Load,
            Choice(&["get", "batch-get", "query"]),
            "how products are read",
            Value("get", ""),
        ),
        apply: |c, v, k, _| { c.read_op = text(v, k)?.parse().map_err(config_err)?; Ok(()) },
    },
    RunOption {
        keyword: "batch_size",
        flag: "--batch-size",
        cli: cli(Load, Count, "keys per BatchGetItem", Value("10", "")),
        apply: |c, v, k, f| { c.batch_size = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "consistent_reads",
        flag: "--consistent-reads",
        cli: cli(
            Load,
            Switch,
            "strongly consistent reads",
            Words("eventual"),
        ),
        apply: |c, v, k, _| { c.consistent_reads = switch(v, k)?; Ok(()) },
    },
    RunOption {
        keyword: "write_op",
        flag: "--write-op",
        cli: cli(
            Load,
            Choice(&["put", "transact"]),
            "put: PutItem of the order; transact: order + stock decrement in one transaction",
            Value("put", ""),
        ),
        apply: |c, v, k, _| { c.write_op = text(v, k)?.parse().map_err(config_err)?; Ok(()) },
    },
    RunOption {
        keyword: "max_attempts",
        flag: "--max-attempts",
        cli: cli(
            Load,
            Count,
            "attempts per operation, backoff with jitter between",
            Value("3", ""),
        ),
        apply: |c, v, k, f| { c.max_attempts = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "keep_request_ids",
        flag: "--keep-request-ids",
        cli: cli(
            Load,
            Count,
            "request IDs kept for a support case: of the N slowest calls, and of the first N throttled calls per reason (0 to 1000)",
            Value("20", ""),
        ),
        apply: |c, v, k, f| { c.keep_request_ids = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "grace",
        flag: "--grace",
        cli: cli(
            Load,
            Text,
            "after the deadline, how long operations on the wire may answer (then cut), at most 10s",
            Value("2s", ""),
        ),
        apply: |c, v, _, f| {
            c.grace = duration(f, v)?;
            Ok(())
        },
    },
    RunOption {
        keyword: "client",
        flag: "--client",
        cli: cli(
            Load,
            Choice(&["fast", "sdk"]),
            "fast: ddbload signs and sends the workshop's GetItem/PutItem/BatchGetItem/\
             TransactWriteItems and a workload file's operations itself; sdk: every call through \
             the AWS SDK for Rust",
            Value("fast", ""),
        ),
        apply: |c, v, k, _| { c.client = text(v, k)?.parse().map_err(config_err)?; Ok(()) },
    },
    RunOption {
        keyword: "seed",
        flag: "--seed",
        cli: cli(
            Load,
            Count,
            "random seed, to repeat a run exactly",
            Words("random, recorded"),
        ),
        apply: |c, v, k, f| { c.seed = Some(count(k, f, v)?); Ok(()) },
    },
    RunOption {
        keyword: "rate",
        flag: "--rate",
        cli: cli(
            Shape,
            Number,
            "operations per second, split by --read-ratio (instead of workers)",
            Nothing,
        ),
        apply: |c, v, _, f| { c.rate = Some(number(f, v)?); Ok(()) },
    },
    RunOption {
        keyword: "stages",
        flag: "--stages",
        cli: with_metavar(
            cli(
                Shape,
                Text,
                "ramps and holds, e.g. 2m:1000,30s:8000,5m:8000,1m:1000 (sets the length)",
                Nothing,
            ),
            "DUR:RATE,...",
        ),
        apply: |c, v, _, _| {
            c.stages = stages_of(v)?;
            c.duration = c.stages.iter().map(|s| s.duration).sum();
            Ok(())
        },
    },
    RunOption {
        keyword: "start_rate",
        flag: "--start-rate",
        cli: cli(
            Shape,
            Number,
            "the rate the first stage ramps from",
            Value("0", ""),
        ),
        apply: |c, v, _, f| { c.start_rate = number(f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "max_in_flight",
        flag: "--max-in-flight",
        cli: cli(
            Shape,
            Count,
            "most requests in flight; later arrivals wait (up to 100 per slot), beyond that they are \
             dropped",
            Value("100", "; raise it when rate x latency nears it"),
        ),
        apply: |c, v, k, f| { c.max_in_flight = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "key_distribution",
        flag: "--key-distribution",
        cli: with_metavar(
            cli(
                Shape,
                Text,
                "uniform, zipf[:THETA] or hot:KEYS:SHARE (hot:1:0.3: one deal takes 30% of picks)",
                Value("uniform", ""),
            ),
            "DIST",
        ),
        apply: |c, v, k, _| { c.key_distribution = text(v, k)?.parse().map_err(config_err)?; Ok(()) },
    },
    RunOption {
        keyword: "run_id",
        flag: "--run-id",
        cli: cli(
            Load,
            Text,
            "id stored on every generated order",
            Words("time-based"),
        ),
        apply: |c, v, k, _| { c.run_id = Some(text(v, k)?); Ok(()) },
    },
    RunOption {
        keyword: "region",
        flag: "--region",
        cli: cli(Connection, Text, "AWS region", Value("us-east-1", "")),
        apply: |c, v, k, _| { c.connection.region = text(v, k)?; Ok(()) },
    },
    RunOption {
        keyword: "profile",
        flag: "--profile",
        cli: cli(
            Connection,
            Text,
            "AWS profile from ~/.aws/config",
            Words("standard credential chain"),
        ),
        apply: |c, v, k, _| { c.connection.profile = Some(text(v, k)?); Ok(()) },
    },
    RunOption {
        keyword: "endpoint_url",
        flag: "--endpoint-url",
        cli: cli(
            Connection,
            Text,
            "send requests here instead, e.g. DynamoDB Local http://127.0.0.1:8000",
            Nothing,
        ),
        apply: |c, v, k, _| { c.connection.endpoint_url = Some(text(v, k)?); Ok(()) },
    },
    RunOption {
        keyword: "workload",
        flag: "--workload",
        cli: with_metavar(
            cli(
                Tables,
                Text,
                "workshop, ycsb-a ... ycsb-f, or a workload file (YAML or JSON) of your own tables \
                 and operations",
                Value("workshop", ""),
            ),
            "NAME|FILE",
        ),
        apply: |c, v, _, _| {
            c.workload = workload_of(v)?;
            c.timeline = encoded_timeline(v, "encoded_workload_timeline", "--workload")?;
            Ok(())
        },
    },
    RunOption {
        keyword: "products_table",
        flag: "--products-table",
        cli: cli(Tables, Text, "products table", Value("Products", "")),
        apply: |c, v, k, _| { c.products_table = text(v, k)?; Ok(()) },
    },
    RunOption {
        keyword: "orders_table",
        flag: "--orders-table",
        cli: cli(Tables, Text, "orders table", Value("Orders", "")),
        apply: |c, v, k, _| { c.orders_table = text(v, k)?; Ok(()) },
    },
    RunOption {
        keyword: "create_tables",
        flag: "--create-tables",
        cli: cli(
            Tables,
            Switch,
            "create missing tables (on-demand) instead of failing",
            Nothing,
        ),
        apply: |c, v, k, _| { c.create_tables = switch(v, k)?; Ok(()) },
    },
    RunOption {
        keyword: "seed_products",
        flag: "--seed-products",
        cli: cli(
            Tables,
            Count,
            "write N sample products before the run",
            Value("0", "; 1000 with --local"),
        ),
        apply: |c, v, k, f| { c.seed_products = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "table_capacity",
        flag: "--table-capacity",
        cli: cli(
            Tables,
            Text,
            "capacity the tables this run creates get after seeding: on-demand or RCU/WCU such as 2/2",
            Value("on-demand", ""),
        ),
        apply: |c, v, k, _| {
            { c.table_capacity = parse_table_capacity(&text(v, k)?).map_err(config_err)?; Ok(()) }
        },
    },
    RunOption {
        keyword: "sample_products",
        flag: "--sample-products",
        cli: cli(
            Tables,
            Count,
            "product keys to read from the table",
            Value("10000", ""),
        ),
        apply: |c, v, k, f| { c.sample_products = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "price_min",
        flag: "--price-min",
        cli: cli(
            Orders,
            Text,
            "lowest generated unit price",
            Value("1.00", ""),
        ),
        apply: |c, v, k, f| { c.price_min = extract_decimal(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "price_max",
        flag: "--price-max",
        cli: cli(
            Orders,
            Text,
            "highest generated unit price",
            Value("500.00", ""),
        ),
        apply: |c, v, k, f| { c.price_max = extract_decimal(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "max_quantity",
        flag: "--max-quantity",
        cli: cli(Orders, Count, "most units per order line", Value("5", "")),
        apply: |c, v, k, f| { c.max_quantity = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "max_lines",
        flag: "--max-lines",
        cli: cli(Orders, Count, "most lines per order", Value("5", "")),
        apply: |c, v, k, f| { c.max_lines = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        keyword: "ttl_hours",
        flag: "--ttl-hours",
        cli: cli(
            Orders,
            Count,
            "orders expire after this many hours, 0 = never",
            Value("24", ""),
        ),
        apply: |c, v, k, f| { c.ttl_hours = count(k, f, v)?; Ok(()) },
    },
    RunOption {
        // Its flag is in `run`'s GameDay group (cli/gameday.py), with the flags that go with it.
        keyword: "timeline",
        flag: "--timeline",
        cli: None,
        apply: |c, v, _, _| {
            if let Some(theirs) = &c.timeline {
                let named: serde_json::Value = serde_json::from_str(&theirs.encoded).unwrap_or_default();
                return Err(config_err(ConfigError::new(
                    "--timeline",
                    format!("{} has a timeline of its own; give one or the other", named["source"].as_str().unwrap_or("the workload")),
                )));
            }
            c.timeline = encoded_timeline(v, "encoded_timeline", "--timeline")?;
            Ok(())
        },
    },
    RunOption {
        // `ddbload replay` sets it (cli/replay.py): the spool of the trace's calls and its clock.
        keyword: "_replay",
        flag: "_replay",
        cli: None,
        apply: |c, v, k, f| {
            let replay = serde_json::from_str(&text(v, k)?)
                .map_err(|e| config_err(ConfigError::new(f, format!("not a replay: {e}"))))?;
            c.replay = Some(replay);
            Ok(())
        },
    },
    RunOption {
        keyword: "_task",
        flag: "_task",
        cli: None,
        apply: |c, v, k, f| { c.task = Some(count(k, f, v)?); Ok(()) },
    },
    RunOption {
        keyword: "_hold_start",
        flag: "_hold_start",
        cli: None,
        apply: |c, v, k, _| { c.hold_start = switch(v, k)?; Ok(()) },
    },
    RunOption {
        keyword: "_catalog",
        flag: "_catalog",
        cli: None,
        apply: |c, v, k, _| { c.catalog = Some(text(v, k)?); Ok(()) },
    },
];

/// Where `keyword` is in RUN_OPTIONS.
pub fn position(keyword: &str) -> Option<usize> {
    RUN_OPTIONS.iter().position(|o| o.keyword == keyword)
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Load => "load",
            Shape => "shape",
            Connection => "connection",
            Tables => "tables",
            Orders => "orders",
        }
    }
}

impl Kind {
    fn name(&self) -> &'static str {
        match self {
            Count => "count",
            Number => "number",
            Text => "text",
            Choice(_) => "choice",
            Switch => "switch",
        }
    }
}

/// The options `ddbload run` offers, in help order, as dicts: keyword, flag, group, kind, choices,
/// metavar, help, default (the value, or None) and default_words (what the help says after it).
#[pyfunction]
pub fn run_options(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for option in RUN_OPTIONS {
        let Some(cli) = &option.cli else { continue };
        let d = PyDict::new(py);
        d.set_item("keyword", option.keyword)?;
        d.set_item("flag", option.flag)?;
        d.set_item("group", cli.group.name())?;
        d.set_item("kind", cli.kind.name())?;
        let choices = match cli.kind {
            Choice(values) => Some(values.to_vec()),
            _ => None,
        };
        d.set_item("choices", choices)?;
        d.set_item("metavar", cli.metavar)?;
        d.set_item("help", cli.help)?;
        let (value, words) = match cli.default {
            Value(value, words) => (Some(value), Some(words)),
            Words(words) => (None, Some(words)),
            Nothing => (None, None),
        };
        d.set_item("default", value)?;
        d.set_item("default_words", words)?;
        d.set_item("exclusive", cli.exclusive)?;
        list.append(d)?;
    }
    Ok(list)
}

/// A duration given as text ("90s", "5m") or a number of seconds.
fn duration(option: &'static str, value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    if value.is_instance_of::<PyString>() {
        parse_duration(option, &value.extract::<String>()?)
    } else {
        secs_to_duration(option, number(option, value)?)
    }
    .map_err(config_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_the_keywords_with_dashes() {
        for option in RUN_OPTIONS.iter().filter(|o| o.cli.is_some()) {
            assert_eq!(
                option.flag,
                format!("--{}", option.keyword.replace('_', "-")),
                "{}",
                option.keyword
            );
        }
    }

    #[test]
    fn keywords_are_unique() {
        let mut keywords: Vec<_> = RUN_OPTIONS.iter().map(|o| o.keyword).collect();
        keywords.sort_unstable();
        keywords.dedup();
        assert_eq!(keywords.len(), RUN_OPTIONS.len());
    }
}
