//! Request parameters as GitLab clients send them: in the query string, a form
//! body, a JSON body or a multipart body (with files), merged (the body wins).

use super::ApiError;
use crate::state::ServerState;
use app::domain::uploads::Upload;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

#[derive(Default)]
pub struct Params {
    fields: Map<String, Value>,
    /// Files of a multipart body, by field name.
    files: Vec<(String, Upload)>,
}

/// At most this many parts in a multipart body.
const MAX_PARTS: usize = 32;

/// Reads a multipart body: text fields (which must be UTF-8 without NUL, as
/// every other text a request carries) and files.
async fn parse_multipart(params: &mut Params, content_type: &str, body: Bytes) -> Result<(), ApiError> {
    let bad = |what: &str| ApiError::BadRequest(format!("the multipart body is invalid: {what}"));
    let boundary = multer::parse_boundary(content_type).map_err(|_| bad("no boundary"))?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(|e| bad(&e.to_string()))? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(bad("too many parts"));
        }
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| bad(&e.to_string()))?;
        match filename {
            Some(filename) => params.files.push((name, Upload { filename, bytes: bytes.to_vec() })),
            None => {
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| ApiError::invalid(&name))?;
                if text.contains('\0') || name.contains('\0') {
                    return Err(ApiError::invalid(&name));
                }
                add_pair(&mut params.fields, name, text);
            }
        }
    }
    Ok(())
}

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
        let mut params = Params::default();
        if let Some(query) = request.uri().query() {
            parse_urlencoded(&mut params.fields, query.as_bytes());
        }
        // The boundary is case-sensitive: kept as sent.
        let raw_type = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let content_type = raw_type.to_ascii_lowercase();
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            if crate::body_deadline::timed_out(&e) {
                ApiError::Message(http::StatusCode::REQUEST_TIMEOUT, "408 Request Timeout".into())
            } else {
                ApiError::BadRequest(format!("request body could not be read: {e}"))
            }
        })?;
        if body.is_empty() {
            return Ok(params);
        }
        if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(fields)) => params.fields.extend(fields),
                Ok(_) => return Err(ApiError::BadRequest("the JSON body must be an object".into())),
                Err(e) => return Err(ApiError::BadRequest(format!("the JSON body is invalid: {e}"))),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") || content_type.is_empty() {
            parse_urlencoded(&mut params.fields, &body);
        } else if content_type.starts_with("multipart/form-data") {
            parse_multipart(&mut params, &raw_type, body).await?;
        }
        Ok(params)
    }
}

impl Params {
    /// A string parameter (numbers and booleans given in JSON count too; a
    /// JSON `null` is absent). A key given more than once is its last value,
    /// as Rack reads it. Anything else (an empty list, a list or an object
    /// that is not text) is refused as invalid, never read as absent:
    /// `"expires_at": []` would otherwise make a token that never expires.
    pub fn str(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => match items.last() {
                Some(Value::String(last)) => Ok(Some(last.clone())),
                _ => Err(ApiError::invalid(name)),
            },
            Some(Value::Array(_) | Value::Object(_)) => Err(ApiError::invalid(name)),
        }
    }

    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.str(name)?.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing(name))
    }

    pub fn i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ApiError::invalid(name)),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ApiError::invalid(name)),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.fields.get(name) {
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
        match self.fields.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
            _ => Vec::new(),
        }
    }

    /// A list of numbers (a JSON array, repeated/`[]` keys, or one
    /// comma-separated string); `None` when absent.
    pub fn i64_list(&self, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
        let number = |v: &Value| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                items.iter().map(number).collect::<Option<Vec<_>>>().map(Some).ok_or_else(|| ApiError::invalid(name))
            }
            Some(Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().ok())
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| ApiError::invalid(name)),
            Some(_) => Err(ApiError::invalid(name)),
        }
    }

    /// The file uploaded as `name` (multipart), if any.
    pub fn file(&self, name: &str) -> Option<Upload> {
        self.files.iter().find(|(field, _)| field == name).map(|(_, upload)| upload.clone())
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
