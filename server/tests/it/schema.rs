//! The GraphQL schema is an artefact. The live schema must equal the committed
//! `server/schema.graphql` (so a change to it shows in review), and must equal
//! GitLab's own schema for every type, field and argument Laurel implements
//! (`gitlab_reference.graphql`): same names, types, nullability, list shapes,
//! interfaces and defaults, so clients generated from GitLab's schema
//! (graphql-codegen, gql) validate against Laurel's.

use async_graphql_parser::types::{FieldDefinition, InputValueDefinition, TypeKind, TypeSystemDefinition};
use async_graphql_parser::Positioned;
use std::collections::BTreeMap;

/// Laurel's additions to GitLab's schema. An addition never changes a field
/// GitLab has; it only adds one a GitLab client does not ask for.
const EXTENSIONS: &[&str] = &[
    // GitLab shows an issue's emoji through work items; Laurel also offers
    // them on `Issue`, as it does on `MergeRequest` and `Note`.
    "Issue.awardEmoji",
];

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
const GITLAB: &str = include_str!("gitlab_reference.graphql");

/// The schema the server serves (what `server --print-schema` prints), built
/// in-process from the server library.
fn live_sdl() -> String {
    server::graphql::schema().sdl()
}

#[test]
fn the_committed_schema_is_the_live_schema() {
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    let live = live_sdl();
    if committed != live {
        let (line, ours, theirs) = committed
            .lines()
            .chain(std::iter::repeat(""))
            .zip(live.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(n, (a, b))| (n + 1, a.to_string(), b.to_string()))
            .unwrap_or_default();
        panic!(
            "server/schema.graphql is not the live schema (first difference at line {line}):\n  \
             committed: {ours}\n  live:      {theirs}\n\
             If the change is meant, regenerate it: target/release/server --print-schema > server/schema.graphql"
        );
    }
}

/// A schema as facts: `Type` -> kind, `Type.field` -> type, `Type.field(arg)`
/// -> type and default, `Type:implements` and `Type:values` -> sorted names.
fn facts(sdl: &str) -> BTreeMap<String, String> {
    let document = async_graphql_parser::parse_schema(sdl).expect("valid SDL");
    let mut facts = BTreeMap::new();
    let input = |value: &InputValueDefinition| match &value.default_value {
        Some(default) => format!("{} = {}", value.ty.node, default.node),
        None => value.ty.node.to_string(),
    };
    let fields = |facts: &mut BTreeMap<String, String>, owner: &str, list: &[Positioned<FieldDefinition>]| {
        for field in list.iter().map(|f| &f.node) {
            facts.insert(format!("{owner}.{}", field.name.node), field.ty.node.to_string());
            for arg in field.arguments.iter().map(|a| &a.node) {
                facts.insert(format!("{owner}.{}({})", field.name.node, arg.name.node), input(arg));
            }
        }
    };
    let names = |list: &mut Vec<String>| {
        list.sort();
        list.join(" ")
    };
    for definition in document.definitions {
        let TypeSystemDefinition::Type(definition) = definition else { continue };
        let name = definition.node.name.node.to_string();
        let kind = match &definition.node.kind {
            TypeKind::Scalar => "scalar",
            TypeKind::Object(object) => {
                let mut implements = object.implements.iter().map(|n| n.node.to_string()).collect();
                facts.insert(format!("{name}:implements"), names(&mut implements));
                fields(&mut facts, &name, &object.fields);
                "type"
            }
            TypeKind::Interface(interface) => {
                fields(&mut facts, &name, &interface.fields);
                "interface"
            }
            TypeKind::Union(_) => "union",
            TypeKind::Enum(values) => {
                let mut values = values.values.iter().map(|v| v.node.value.node.to_string()).collect();
                facts.insert(format!("{name}:values"), names(&mut values));
                "enum"
            }
            TypeKind::InputObject(object) => {
                for field in object.fields.iter().map(|f| &f.node) {
                    facts.insert(format!("{name}.{}", field.name.node), input(field));
                }
                "input"
            }
        };
        facts.insert(name, kind.to_string());
    }
    facts
}

/// Where Laurel's schema and GitLab's differ, one line each; empty when equal.
fn differences(ours: &BTreeMap<String, String>, gitlab: &BTreeMap<String, String>) -> Vec<String> {
    let mut found = Vec::new();
    for (fact, theirs) in gitlab {
        match ours.get(fact) {
            None => found.push(format!("missing: {fact} ({theirs})")),
            Some(mine) if mine != theirs => found.push(format!("differs: {fact}: ours {mine}, GitLab {theirs}")),
            Some(_) => {}
        }
    }
    let extension = |fact: &str| EXTENSIONS.iter().any(|e| fact == *e || fact.starts_with(&format!("{e}(")));
    for (fact, mine) in ours {
        if !gitlab.contains_key(fact) && !extension(fact) {
            found.push(format!("not in GitLab's schema: {fact} ({mine})"));
        }
    }
    found
}

#[test]
fn the_schema_is_gitlabs_for_everything_laurel_implements() {
    let gitlab = facts(GITLAB);
    assert!(gitlab.len() > 300, "the reference holds GitLab's types ({} facts)", gitlab.len());
    let ours = facts(&live_sdl());
    let found = differences(&ours, &gitlab);
    assert!(found.is_empty(), "{} difference(s) from GitLab's schema:\n{}", found.len(), found.join("\n"));

    // The comparison itself catches what it is for: a nullability change, a
    // missing argument default and an unlisted extra field.
    let mut changed = ours.clone();
    changed.insert("AwardEmoji.unicode".into(), "String".into());
    changed.insert("UserCore.userAchievements(includeHidden)".into(), "Boolean".into());
    changed.insert("Query.secret".into(), "String".into());
    let caught = differences(&changed, &gitlab);
    assert_eq!(caught.len(), 3, "{caught:?}");
}
