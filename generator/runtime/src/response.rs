//! A successful response: the decoded body plus status and headers.

use std::ops::Deref;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// A 2xx response with its decoded body. Derefs to the body.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    data: T,
}

impl<T> Response<T> {
    /// Wraps a decoded body.
    pub fn new(status: StatusCode, headers: HeaderMap, data: T) -> Self {
        Response {
            status,
            headers,
            data,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The decoded body, dropping status and headers.
    pub fn into_inner(self) -> T {
        self.data
    }

    /// Status, headers and body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.data)
    }

    /// Transforms the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            data: f(self.data),
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_and_map() {
        let r = Response::new(StatusCode::OK, HeaderMap::new(), vec![1, 2, 3]);
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.len(), 3);
        assert_eq!(r.data(), &vec![1, 2, 3]);
        assert!(r.headers().is_empty());
        let r = r.map(|v| v.len());
        assert_eq!(*r, 3);
        let (status, _, n) = r.clone().into_parts();
        assert_eq!((status, n), (StatusCode::OK, 3));
        assert_eq!(r.into_inner(), 3);
    }
}
