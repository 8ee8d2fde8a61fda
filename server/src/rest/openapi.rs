//! The REST API's OpenAPI 3.1 document, made from the route table itself: each
//! route is registered once, with its handler and what it takes and answers,
//! so the router and the document cannot drift apart. Answers are described
//! by the very types the handlers serialize (`#[derive(ToSchema)]`), errors by
//! the one error body every handler answers with. `GET /api/v4/openapi.json`
//! serves it; the tests drive every operation from it (Schemathesis) and
//! check every answer against it.

use super::error::ErrorBody;
use crate::state::ServerState;
use axum::handler::Handler;
use axum::routing::MethodRouter;
use axum::Router;
use std::sync::Arc;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, Paths};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Ref, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ComponentsBuilder, Content, HeaderBuilder, InfoBuilder, OpenApiBuilder, RefOr, Required};
use utoipa::openapi::{ResponseBuilder, ServerBuilder};
use utoipa::ToSchema;

/// A parameter's type, in a query or a request body.
#[derive(Clone, Copy)]
pub enum Kind {
    Str,
    Int,
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    Ints,
    Strs,
    /// A file (multipart bodies only).
    File,
}

impl Kind {
    fn schema(self) -> Schema {
        let of = |t: Type| ObjectBuilder::new().schema_type(t);
        match self {
            Kind::Str => of(Type::String).into(),
            Kind::Int => of(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))).into(),
            Kind::Bool => of(Type::Boolean).into(),
            Kind::Date => of(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).into(),
            Kind::Ints => ArrayBuilder::new().items(RefOr::T(Kind::Int.schema())).into(),
            Kind::Strs => ArrayBuilder::new().items(RefOr::T(Kind::Str.schema())).into(),
            Kind::File => of(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).into(),
        }
    }
}

/// What a successful call answers.
enum Answer {
    /// One thing, under this status.
    One(u16, RefOr<Schema>),
    /// A JSON array; `paged` ones carry GitLab's pagination headers.
    List { item: RefOr<Schema>, paged: bool },
    /// `204 No Content`.
    Nothing,
    /// `200` with a text body of this media type (a signed credential).
    Text(&'static str),
}

/// One operation's description.
pub struct Op {
    summary: &'static str,
    query: Vec<(&'static str, Kind, &'static str)>,
    body: Vec<(&'static str, Kind, bool, &'static str)>,
    answer: Answer,
    schemas: Vec<(String, RefOr<Schema>)>,
    /// The success may also be a CSV file (`format=csv`).
    csv: bool,
}

/// A reference to `T`'s schema, registering it (and what it refers to).
fn component<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) -> RefOr<Schema> {
    T::schemas(schemas);
    schemas.push((T::name().into_owned(), T::schema()));
    Ref::from_schema_name(T::name()).into()
}

impl Op {
    /// Answers `T` with `status`.
    pub fn one<T: ToSchema>(summary: &'static str, status: u16) -> Op {
        let mut schemas = Vec::new();
        let answer = Answer::One(status, component::<T>(&mut schemas));
        Op { summary, query: Vec::new(), body: Vec::new(), answer, schemas, csv: false }
    }

    /// Answers a page of `T` with GitLab's pagination headers (and takes `page`, `per_page`).
    pub fn page<T: ToSchema>(summary: &'static str) -> Op {
        let mut schemas = Vec::new();
        let answer = Answer::List { item: component::<T>(&mut schemas), paged: true };
        Op { summary, query: Vec::new(), body: Vec::new(), answer, schemas, csv: false }
            .query("page", Kind::Int, "Page number (default 1).")
            .query("per_page", Kind::Int, "Items per page (default 20, at most 100).")
    }

    /// Answers a JSON array of `T` (without pagination headers).
    pub fn list<T: ToSchema>(summary: &'static str) -> Op {
        let mut schemas = Vec::new();
        let answer = Answer::List { item: component::<T>(&mut schemas), paged: false };
        Op { summary, query: Vec::new(), body: Vec::new(), answer, schemas, csv: false }
    }

    /// Answers `204 No Content`.
    pub fn nothing(summary: &'static str) -> Op {
        Op { summary, query: Vec::new(), body: Vec::new(), answer: Answer::Nothing, schemas: Vec::new(), csv: false }
    }

    /// Answers `200` with a text body of `media_type`.
    pub fn text(summary: &'static str, media_type: &'static str) -> Op {
        let answer = Answer::Text(media_type);
        Op { summary, query: Vec::new(), body: Vec::new(), answer, schemas: Vec::new(), csv: false }
    }

    /// The success may also be answered as a CSV file.
    pub fn or_csv(mut self) -> Op {
        self.csv = true;
        self
    }

    pub fn query(mut self, name: &'static str, kind: Kind, description: &'static str) -> Op {
        self.query.push((name, kind, description));
        self
    }

    /// A required body field.
    pub fn field(mut self, name: &'static str, kind: Kind, description: &'static str) -> Op {
        self.body.push((name, kind, true, description));
        self
    }

    /// An optional body field.
    pub fn optional(mut self, name: &'static str, kind: Kind, description: &'static str) -> Op {
        self.body.push((name, kind, false, description));
        self
    }
}

/// `{name}` holes of a route path.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

fn path_param_doc(name: &str) -> (&'static str, Kind) {
    match name {
        "id" => ("ID, or URL-encoded path, of the group, project or user.", Kind::Str),
        _ if name.ends_with("iid") => ("Number of the item in its project.", Kind::Int),
        _ => ("ID.", Kind::Int),
    }
}

fn error_response(schemas: &mut Vec<(String, RefOr<Schema>)>, description: &str) -> utoipa::openapi::Response {
    let error = component::<ErrorBody>(schemas);
    ResponseBuilder::new().description(description).content("application/json", Content::new(Some(error))).build()
}

/// The router and the document, built together.
#[derive(Default)]
pub struct Api {
    router: Router<ServerState>,
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Api {
    pub fn get<H: Handler<T, ServerState>, T: 'static>(self, path: &str, handler: H, op: Op) -> Api {
        self.add((HttpMethod::Get, "get"), path, axum::routing::get(handler), op)
    }

    pub fn post<H: Handler<T, ServerState>, T: 'static>(self, path: &str, handler: H, op: Op) -> Api {
        self.add((HttpMethod::Post, "post"), path, axum::routing::post(handler), op)
    }

    pub fn put<H: Handler<T, ServerState>, T: 'static>(self, path: &str, handler: H, op: Op) -> Api {
        self.add((HttpMethod::Put, "put"), path, axum::routing::put(handler), op)
    }

    pub fn delete<H: Handler<T, ServerState>, T: 'static>(self, path: &str, handler: H, op: Op) -> Api {
        self.add((HttpMethod::Delete, "delete"), path, axum::routing::delete(handler), op)
    }

    /// A route served but left out of the document.
    pub fn undocumented(mut self, router: Router<ServerState>) -> Api {
        self.router = self.router.merge(router);
        self
    }

    fn add(
        mut self,
        (method, verb): (HttpMethod, &str),
        path: &str,
        route: MethodRouter<ServerState>,
        mut op: Op,
    ) -> Api {
        self.router = self.router.route(path, route);
        self.schemas.append(&mut op.schemas);
        let operation_id = format!("{verb}{}", path.replace(['{', '}'], "").replace(['/', '-'], "_"));
        let mut operation = OperationBuilder::new()
            .summary(Some(op.summary))
            .operation_id(Some(operation_id))
            .tag(path.trim_start_matches('/').split('/').next().unwrap_or("api"));
        for name in path_params(path) {
            let (description, kind) = path_param_doc(name);
            operation = operation.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(description))
                    .schema(Some(kind.schema())),
            );
        }
        for (name, kind, description) in &op.query {
            operation = operation.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(*description))
                    .schema(Some(kind.schema())),
            );
        }
        if !op.body.is_empty() {
            let mut object = ObjectBuilder::new().schema_type(Type::Object);
            let mut with_file = false;
            for (name, kind, required, description) in &op.body {
                with_file |= matches!(kind, Kind::File);
                let mut schema = kind.schema();
                if let Schema::Object(object) = &mut schema {
                    object.description = Some(description.to_string());
                }
                object = object.property(*name, schema);
                if *required {
                    object = object.required(*name);
                }
            }
            let schema: Schema = object.into();
            let mut body = RequestBodyBuilder::new().required(Some(Required::True));
            if with_file {
                body = body.content("multipart/form-data", Content::new(Some(schema)));
            } else {
                body = body
                    .content("application/json", Content::new(Some(schema.clone())))
                    .content("application/x-www-form-urlencoded", Content::new(Some(schema)));
            }
            operation = operation.request_body(Some(body.build()));
        }
        let ok = match op.answer {
            Answer::One(status, schema) => {
                let response = ResponseBuilder::new()
                    .description("Success.")
                    .content("application/json", Content::new(Some(schema)));
                (status, response.build())
            }
            Answer::List { item, paged } => {
                let list = ArrayBuilder::new().items(item);
                let mut response = ResponseBuilder::new()
                    .description("Success.")
                    .content("application/json", Content::new(Some(list)));
                if paged {
                    for header in
                        ["x-page", "x-per-page", "x-total", "x-total-pages", "x-next-page", "x-prev-page", "link"]
                    {
                        response = response.header(header, HeaderBuilder::new().schema(Kind::Str.schema()).build());
                    }
                }
                (200, response.build())
            }
            Answer::Nothing => (204, ResponseBuilder::new().description("Done.").build()),
            Answer::Text(media_type) => {
                let response = ResponseBuilder::new()
                    .description("Success.")
                    .content(media_type, Content::new(Some(Kind::Str.schema())));
                (200, response.build())
            }
        };
        let (status, mut response) = ok;
        if op.csv {
            response.content.insert("text/csv".into(), Content::new(Some(Kind::Str.schema())));
        }
        operation = operation.response(status.to_string(), response);
        for (status, description) in REFUSALS {
            let mut response = error_response(&mut self.schemas, description);
            if *status == 400 {
                // Text with a NUL byte or invalid UTF-8 is refused before any handler, in plain text.
                response.content.insert("text/plain".into(), Content::new(Some(Kind::Str.schema())));
            }
            operation = operation.response(status.to_string(), response);
        }
        self.paths.add_path_operation(path, vec![method], operation.build());
        self
    }

    /// The router with `/openapi.json` added, describing every documented route.
    pub fn finish(self, base_path: &str) -> Router<ServerState> {
        let mut components = ComponentsBuilder::new()
            .security_scheme("private_token", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("PRIVATE-TOKEN"))))
            .security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        for (name, schema) in self.schemas {
            components = components.schema(name, schema);
        }
        let document = OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("Laurel REST API")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some(
                        "GitLab's REST API v4 for award emoji, users, tokens, groups, projects and their items, \
                         and Laurel's achievements. Authenticate with a personal access token \
                         (`PRIVATE-TOKEN` or `Authorization: Bearer`); some reads work without one.",
                    ))
                    .build(),
            )
            .servers(Some([ServerBuilder::new().url(base_path).build()]))
            .paths(self.paths)
            .components(Some(components.build()))
            .security(Some([
                SecurityRequirement::default(),
                SecurityRequirement::new("private_token", Vec::<String>::new()),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ]))
            .build();
        let json: Arc<str> = match document.to_json() {
            Ok(json) => json.into(),
            Err(err) => {
                tracing::error!("the OpenAPI document could not be written: {err}");
                "{}".into()
            }
        };
        self.router.route(
            "/openapi.json",
            axum::routing::get(move || {
                let json = json.clone();
                async move { ([(http::header::CONTENT_TYPE, "application/json")], json.to_string()) }
            }),
        )
    }
}

/// Refusals every operation may answer, each in GitLab's error body.
const REFUSALS: &[(u16, &str)] = &[
    (400, "A parameter is missing or invalid."),
    (401, "No valid token (or the session ended)."),
    (403, "The caller may see this but not do it, or the token lacks the scope."),
    (404, "Not found, or not visible to the caller."),
    (409, "A conflict with the current state."),
    (412, "`If-Unmodified-Since` did not hold."),
    (422, "Not a URL (`Invalid url given`)."),
    (429, "Too many requests; see `Retry-After`."),
    (503, "The server is busy; try again (`Retry-After`)."),
];
