//! Request parameters as GitLab clients send them: in the query string, a form
//! body or a JSON body, merged (the body wins).

use super::ApiError;
use crate::state::ServerState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

pub struct Params(pub Map<String, Value>);

fn add_pair(map: &mut Map<String, Value>, key: String, value: String) {
    // `scopes[]=api&scopes[]=read_api` and repeated keys become arrays.
    let (key, is_list) = match key.strip_suffix("[]") {
        Some(k) => (k.to_string(), true),
        None => (key, false),
    };
    match map.get_mut(&key) {
        Some(Value::Array(items)) => items.push(Value::String(value)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(value)]);
        }
        None if is_list => {
            map.insert(key, Value::Array(vec![Value::String(value)]));
        }
        None => {
            map.insert(key, Value::String(value));
        }
    }
}

fn parse_urlencoded(map: &mut Map<String, Value>, bytes: &[u8]) {
    for (key, value) in form_urlencoded::parse(bytes) {
        add_pair(map, key.into_owned(), value.into_owned());
    }
}

impl FromRequest<ServerState> for Params {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &ServerState) -> Result<Self, Self::Rejection> {
        let mut map = Map::new();
        if let Some(query) = request.uri().query() {
            parse_urlencoded(&mut map, query.as_bytes());
        }
        let content_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("request body could not be read: {e}")))?;
        if body.is_empty() {
            return Ok(Params(map));
        }
        if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(fields)) => map.extend(fields),
                Ok(_) => return Err(ApiError::BadRequest("the JSON body must be an object".into())),
                Err(e) => return Err(ApiError::BadRequest(format!("the JSON body is invalid: {e}"))),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") || content_type.is_empty() {
            parse_urlencoded(&mut map, &body);
        }
        Ok(Params(map))
    }
}

impl Params {
    /// A string parameter (numbers and booleans given in JSON count too).
    pub fn str(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.str(name).filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing(name))
    }

    pub fn i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ApiError::invalid(name)),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ApiError::invalid(name)),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(Some(true)),
                "false" | "0" | "no" | "" => Ok(Some(false)),
                _ => Err(ApiError::invalid(name)),
            },
            Some(Value::Number(n)) => Ok(Some(n.as_i64() != Some(0))),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    /// A list: a JSON array, repeated/`[]` keys, or one comma-separated string.
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
            _ => Vec::new(),
        }
    }

    /// Page and per-page (GitLab: default 20, at most 100).
    pub fn page(&self) -> Result<super::pagination::Page, ApiError> {
        let page = self.i64("page")?.unwrap_or(1);
        let per_page = self.i64("per_page")?.unwrap_or(20);
        if page < 1 {
            return Err(ApiError::invalid("page"));
        }
        if per_page < 1 {
            return Err(ApiError::invalid("per_page"));
        }
        Ok(super::pagination::Page { page, per_page: per_page.min(100) })
    }
}
