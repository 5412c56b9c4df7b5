//! `stackc config`: the fully evaluated configuration (CLI.md "config --format json").

use crate::cli::{ConfigFormat, Options};
use crate::output::print_diagnostics;
use serde_json::{json, Map, Value as Json};
use stackc_lang::value::{SeqKind, Value, ValueKind};

pub fn run(options: &Options, format: ConfigFormat) -> u8 {
    let (config, _, diags) = super::load_stack(options);
    if diags.has_errors() {
        print_diagnostics(&config.sources, &diags.into_sorted(), options.color);
        return 1;
    }
    let doc = document(&config, options.global.provider.as_deref());
    match format {
        ConfigFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
        }
        ConfigFormat::Hcl => print!("{}", hcl(&config)),
    }
    0
}

/// Which nested blocks of a kind are single (an object in JSON) rather than repeated (a list).
fn single_block(kind: &str, block: &str) -> bool {
    stackc_engine::model::schema(kind)
        .and_then(|s| s.field(block))
        .and_then(|f| f.block.as_ref())
        .is_some_and(|b| !b.repeated)
}

/// The attributes of a nested block that the schema marks always sensitive (a secret's value).
fn sensitive_fields(kind: &str, block: &str) -> Vec<&'static str> {
    stackc_engine::model::schema(kind)
        .and_then(|s| s.field(block))
        .map(|f| {
            f.fields()
                .iter()
                .filter(|f| f.sensitive)
                .map(|f| f.name)
                .collect()
        })
        .unwrap_or_default()
}

fn body_json(kind: &str, v: &Value) -> Json {
    let Some(map) = v.as_map() else {
        return v.to_json(true);
    };
    let mut out = Map::new();
    for (k, x) in map.iter() {
        let j = match (&x.kind, x.seq_kind()) {
            (_, Some(SeqKind::Blocks)) => {
                let hidden = sensitive_fields(kind, k);
                let items: Vec<Json> = x
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .map(|b| {
                        let mut j = nested_json(b);
                        if let Json::Object(m) = &mut j {
                            for f in &hidden {
                                if let Some(v) = m.get_mut(*f) {
                                    *v = Json::String("(sensitive)".into());
                                }
                            }
                        }
                        j
                    })
                    .collect();
                if single_block(kind, k) && items.len() == 1 {
                    items.into_iter().next().unwrap_or(Json::Null)
                } else {
                    Json::Array(items)
                }
            }
            _ => x.to_json(true),
        };
        out.insert(k.clone(), j);
    }
    Json::Object(out)
}

/// A nested block's body: its own nested blocks (like `update` inside `service`, or
/// `validation`) keep the list form unless single.
fn nested_json(v: &Value) -> Json {
    match &v.kind {
        ValueKind::Map(..) => {
            let mut out = Map::new();
            for (k, x) in v.as_map().into_iter().flatten() {
                let j = if x.seq_kind() == Some(SeqKind::Blocks) {
                    let items: Vec<Json> =
                        x.as_seq().unwrap_or(&[]).iter().map(nested_json).collect();
                    if items.len() == 1 {
                        items.into_iter().next().unwrap_or(Json::Null)
                    } else {
                        Json::Array(items)
                    }
                } else {
                    x.to_json(true)
                };
                out.insert(k.clone(), j);
            }
            Json::Object(out)
        }
        _ => v.to_json(true),
    }
}

pub fn document(config: &stackc_lang::eval::Config, cli_provider: Option<&str>) -> Json {
    let provider = cli_provider
        .map(str::to_string)
        .or_else(|| config.stack.provider.as_ref().map(|(p, _)| p.clone()))
        .unwrap_or_else(|| "native".to_string());
    let variables: Map<String, Json> = config
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json(true)))
        .collect();
    let locals: Map<String, Json> = config
        .locals
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json(true)))
        .collect();
    let outputs: Map<String, Json> = config
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), o.value.to_json(true)))
        .collect();
    let resources: Map<String, Json> = config
        .resources
        .iter()
        .map(|r| {
            let mut j = body_json(&r.kind, &r.body);
            if let Json::Object(m) = &mut j {
                for (k, v) in r.meta.iter() {
                    m.insert(k.clone(), v.to_json(true));
                }
            }
            (r.address.clone(), j)
        })
        .collect();
    // serde_json's Map is sorted (no preserve_order feature), so keys print sorted.
    json!({
        "stack": config.stack.name,
        "provider": provider,
        "variables": variables,
        "locals": locals,
        "outputs": outputs,
        "resources": resources,
    })
}

/// The configuration in the language's own syntax: one block per resource instance.
fn hcl(config: &stackc_lang::eval::Config) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "stack {} {{}}\n",
        stackc_lang::value::quote(&config.stack.name)
    ));
    if !config.variables.is_empty() {
        out.push_str("\n# variables\n");
        for (k, v) in &config.variables {
            out.push_str(&format!(
                "# var.{k} = {}\n",
                v.to_hcl(true).replace('\n', "\n# ")
            ));
        }
    }
    if !config.locals.is_empty() {
        out.push_str("\nlocals {\n");
        for (k, v) in &config.locals {
            out.push_str(&format!("  {k} = {}\n", indent(&v.to_hcl(true))));
        }
        out.push_str("}\n");
    }
    for r in &config.resources {
        out.push_str(&format!(
            "\n# {}\n{} {} {{\n",
            r.address,
            r.kind,
            stackc_lang::value::quote(&format!("{}{}", r.name, r.key.name_suffix()))
        ));
        for (k, v) in r.body.as_map().into_iter().flatten() {
            if v.seq_kind() == Some(SeqKind::Blocks) {
                for b in v.as_seq().unwrap_or(&[]) {
                    out.push_str(&format!("  {k} {}\n", indent(&b.to_hcl(true))));
                }
            } else {
                out.push_str(&format!("  {k} = {}\n", indent(&v.to_hcl(true))));
            }
        }
        for (k, v) in r.meta.iter() {
            if k == "lifecycle" {
                out.push_str(&format!("  {k} {}\n", indent(&v.to_hcl(true))));
            } else {
                out.push_str(&format!("  {k} = {}\n", indent(&v.to_hcl(true))));
            }
        }
        out.push_str("}\n");
    }
    for (k, o) in &config.outputs {
        out.push_str(&format!(
            "\noutput {} {{\n  value = {}\n}}\n",
            stackc_lang::value::quote(k),
            indent(&o.value.to_hcl(true))
        ));
    }
    out
}

fn indent(s: &str) -> String {
    s.replace('\n', "\n  ")
}
