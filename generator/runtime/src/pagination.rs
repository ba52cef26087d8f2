//! Pagination: list operations as streams of items.
//!
//! Every list operation has a generated `<method>_stream` method that returns a
//! [`PageStream`]: a [`Stream`] of items that fetches pages lazily, one request at a time, as
//! the items are consumed. It ends at an empty page, at a page shorter than the page size, when
//! the offset reaches the total the server reported, or after [`PageStream::max_items`]
//! items. An error is yielded once and ends the stream.
//!
//! Consume it with [`PageStream::next_item`] or [`PageStream::collect_items`], or with any
//! `futures` stream adapter (`StreamExt::next`, `TryStreamExt::try_collect`, `take`, ...).

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Error;

/// Page size used when the request does not set one (capped at the API's maximum).
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// One page of a list, as returned by the fetch function of a [`PageStream`].
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// The total number of items the list has, when the API reports it (`total_count`).
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page of items, with the total if known.
    pub fn new(items: Vec<T>, total: Option<u64>) -> Self {
        Page { items, total }
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    /// At this offset.
    Offset(u64),
    /// After the item with this cursor (`None`: at the start).
    Cursor(Option<String>),
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;
type Fetch<T> = Box<dyn FnMut(Position, u64) -> PageFuture<T> + Send>;
type CursorOf<T> = Box<dyn Fn(&T) -> Option<String> + Send>;

/// A stream of the items of a paginated list; see the [module docs](self).
///
/// Pages are requested only when the items already received have been consumed.
/// It is `Unpin` and `Send`, and owns everything it needs (`'static`).
pub struct PageStream<T> {
    fetch: Fetch<T>,
    cursor_of: Option<CursorOf<T>>,
    next: Position,
    page_size: u64,
    max_items: Option<u64>,
    /// The request in flight and the limit it asked for.
    in_flight: Option<(PageFuture<T>, u64)>,
    buffer: VecDeque<T>,
    received: u64,
    yielded: u64,
    requests: u64,
    /// No more pages will be requested.
    last_page: bool,
}

// The stream never pins its items or fetch state in place (futures are boxed).
impl<T> Unpin for PageStream<T> {}

impl<T: 'static> PageStream<T> {
    /// Pages by offset: `fetch(offset, limit)` returns the page starting at `offset`, with at
    /// most `limit` items. The first page starts at `start`; each next one at the previous
    /// offset plus the number of items received.
    pub fn offset<F, Fut>(start: u64, page_size: u64, mut fetch: F) -> Self
    where
        F: FnMut(u64, u64) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let fetch: Fetch<T> = Box::new(move |position, limit| {
            let offset = match position {
                Position::Offset(offset) => offset,
                Position::Cursor(_) => 0,
            };
            Box::pin(fetch(offset, limit))
        });
        Self::build(fetch, None, Position::Offset(start), page_size)
    }

    /// Pages by cursor: `fetch(after, limit)` returns at most `limit` items that come after
    /// the item whose cursor is `after` (from the start when `None`). The first page starts
    /// after `start`; each next one after `cursor_of(last item)`. The stream also ends when
    /// the last item of a full page has no cursor.
    pub fn cursor<F, Fut, C>(
        start: Option<String>,
        page_size: u64,
        cursor_of: C,
        mut fetch: F,
    ) -> Self
    where
        F: FnMut(Option<String>, u64) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
        C: Fn(&T) -> Option<String> + Send + 'static,
    {
        let fetch: Fetch<T> = Box::new(move |position, limit| {
            let after = match position {
                Position::Cursor(after) => after,
                Position::Offset(_) => None,
            };
            Box::pin(fetch(after, limit))
        });
        Self::build(
            fetch,
            Some(Box::new(cursor_of)),
            Position::Cursor(start),
            page_size,
        )
    }

    fn build(
        fetch: Fetch<T>,
        cursor_of: Option<CursorOf<T>>,
        next: Position,
        page_size: u64,
    ) -> Self {
        PageStream {
            fetch,
            cursor_of,
            next,
            page_size: page_size.max(1),
            max_items: None,
            in_flight: None,
            buffer: VecDeque::new(),
            received: 0,
            yielded: 0,
            requests: 0,
            last_page: false,
        }
    }
}

impl<T> PageStream<T> {
    /// Stops after `n` items, and never asks for more items than are still wanted (the last
    /// request's limit shrinks to fit). Unlike `take(n)`, this saves the requests and the
    /// page bytes that would be thrown away.
    pub fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// The page size requested (the last page may ask for fewer under
    /// [`max_items`](Self::max_items)).
    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    /// How many page requests have been started so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// The next item, `None` at the end. After an error, the stream is over.
    pub async fn next_item(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining item, or the first error.
    pub async fn collect_items(mut self) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        while let Some(item) = self.next_item().await {
            items.push(item?);
        }
        Ok(items)
    }

    fn wanted(&self) -> Option<u64> {
        self.max_items.map(|m| m.saturating_sub(self.yielded))
    }

    /// Records a received page: advances the position and decides whether it was the last.
    fn receive(&mut self, page: Page<T>, limit: u64) {
        let n = page.items.len() as u64;
        self.received += n;
        let mut last = n == 0 || n < limit;
        match &mut self.next {
            Position::Offset(offset) => {
                *offset += n;
                last |= page.total.is_some_and(|total| *offset >= total);
            }
            Position::Cursor(after) => {
                let cursor = match (&self.cursor_of, page.items.last()) {
                    (Some(cursor_of), Some(item)) => cursor_of(item),
                    _ => None,
                };
                last |= cursor.is_none();
                last |= page.total.is_some_and(|total| self.received >= total);
                *after = cursor;
            }
        }
        self.last_page |= last;
        self.buffer.extend(page.items);
    }
}

impl<T> Stream for PageStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.wanted() == Some(0) {
                this.buffer.clear();
                this.in_flight = None;
                this.last_page = true;
                return Poll::Ready(None);
            }
            if let Some(item) = this.buffer.pop_front() {
                this.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            if this.last_page {
                return Poll::Ready(None);
            }
            let (mut future, limit) = match this.in_flight.take() {
                Some(in_flight) => in_flight,
                None => {
                    let limit = match this.wanted() {
                        Some(wanted) => this.page_size.min(wanted),
                        None => this.page_size,
                    };
                    this.requests += 1;
                    ((this.fetch)(this.next.clone(), limit), limit)
                }
            };
            match future.as_mut().poll(cx) {
                Poll::Pending => {
                    this.in_flight = Some((future, limit));
                    return Poll::Pending;
                }
                Poll::Ready(Ok(page)) => this.receive(page, limit),
                Poll::Ready(Err(e)) => {
                    this.last_page = true;
                    this.buffer.clear();
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.buffer.len();
        if self.last_page {
            let n = match self.wanted() {
                Some(w) => buffered.min(usize::try_from(w).unwrap_or(usize::MAX)),
                None => buffered,
            };
            (n, Some(n))
        } else {
            (buffered, None)
        }
    }
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("next", &self.next)
            .field("page_size", &self.page_size)
            .field("max_items", &self.max_items)
            .field("buffered", &self.buffer.len())
            .field("yielded", &self.yielded)
            .field("requests", &self.requests)
            .field("last_page", &self.last_page)
            .finish_non_exhaustive()
    }
}

/// The page size to request: `requested` if positive, else [`DEFAULT_PAGE_SIZE`], capped at
/// `max` (the API's maximum) when known.
pub fn page_size<N: PageNumber>(requested: Option<N>, max: Option<u64>) -> u64 {
    let size = requested
        .and_then(|r| r.to_count())
        .filter(|&r| r > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    size.min(max.unwrap_or(u64::MAX)).max(1)
}

/// The first offset: `requested` if positive, else 0.
pub fn page_start<N: PageNumber>(requested: Option<N>) -> u64 {
    requested.and_then(|r| r.to_count()).unwrap_or(0)
}

/// The type of an offset or limit query parameter (`integer` or `number` in the spec).
pub trait PageNumber: Copy {
    /// The parameter value for a count.
    fn from_count(n: u64) -> Self;
    /// The count a parameter value stands for; negative or not a number reads as none.
    fn to_count(self) -> Option<u64>;
}

impl PageNumber for i64 {
    fn from_count(n: u64) -> Self {
        i64::try_from(n).unwrap_or(i64::MAX)
    }
    fn to_count(self) -> Option<u64> {
        u64::try_from(self).ok()
    }
}

impl PageNumber for f64 {
    fn from_count(n: u64) -> Self {
        n as f64
    }
    fn to_count(self) -> Option<u64> {
        // Saturating cast; fractions are dropped.
        (self.is_finite() && self >= 0.0).then_some(self as u64)
    }
}

/// The items of a decoded page: a list, possibly behind `Option`s (absent reads as empty).
pub trait PageItems {
    /// The item type.
    type Item;
    /// The items.
    fn into_page_items(self) -> Vec<Self::Item>;
}

impl<T> PageItems for Vec<T> {
    type Item = T;
    fn into_page_items(self) -> Vec<T> {
        self
    }
}

impl<P: PageItems> PageItems for Option<P> {
    type Item = P::Item;
    fn into_page_items(self) -> Vec<P::Item> {
        self.map(PageItems::into_page_items).unwrap_or_default()
    }
}

/// A total count of a page, possibly behind `Option`s; negative counts read as unknown.
pub trait PageTotal {
    /// The total, when known.
    fn page_total(&self) -> Option<u64>;
}

impl PageTotal for i64 {
    fn page_total(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl PageTotal for f64 {
    fn page_total(&self) -> Option<u64> {
        self.to_count()
    }
}

impl<P: PageTotal> PageTotal for Option<P> {
    fn page_total(&self) -> Option<u64> {
        self.as_ref().and_then(PageTotal::page_total)
    }
}

/// The cursor value of an item's id, possibly behind `Option`s; empty reads as none.
pub trait CursorValue {
    /// The cursor, when present.
    fn cursor_value(&self) -> Option<String>;
}

impl CursorValue for String {
    fn cursor_value(&self) -> Option<String> {
        Some(self.clone()).filter(|s| !s.is_empty())
    }
}

impl<P: CursorValue> CursorValue for Option<P> {
    fn cursor_value(&self) -> Option<String> {
        self.as_ref().and_then(CursorValue::cursor_value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<(u64, u64)>>>;

    /// An offset stream over `0..len` that logs `(offset, limit)` per request and reports
    /// `total` when asked to.
    fn numbers(len: u64, page_size: u64, with_total: bool) -> (PageStream<u64>, Log) {
        let log: Log = Arc::default();
        let seen = Arc::clone(&log);
        let stream = PageStream::offset(0, page_size, move |offset, limit| {
            seen.lock().unwrap().push((offset, limit));
            let items: Vec<u64> = (offset..len.min(offset + limit)).collect();
            let total = with_total.then_some(len);
            async move { Ok(Page::new(items, total)) }
        });
        (stream, log)
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn several_pages_end_at_a_short_page() {
        let (stream, log) = numbers(7, 3, false);
        assert_eq!(
            block_on(stream.collect_items()).unwrap(),
            (0..7).collect::<Vec<_>>()
        );
        assert_eq!(*log.lock().unwrap(), vec![(0, 3), (3, 3), (6, 3)]);
    }

    #[test]
    fn exact_multiple_needs_one_empty_page_without_total() {
        let (stream, log) = numbers(6, 3, false);
        assert_eq!(block_on(stream.collect_items()).unwrap().len(), 6);
        assert_eq!(*log.lock().unwrap(), vec![(0, 3), (3, 3), (6, 3)]);
    }

    #[test]
    fn total_count_stops_without_an_extra_request() {
        let (stream, log) = numbers(6, 3, true);
        assert_eq!(block_on(stream.collect_items()).unwrap().len(), 6);
        assert_eq!(*log.lock().unwrap(), vec![(0, 3), (3, 3)]);
    }

    #[test]
    fn empty_first_page() {
        let (stream, log) = numbers(0, 3, true);
        assert!(block_on(stream.collect_items()).unwrap().is_empty());
        assert_eq!(log.lock().unwrap().len(), 1);
    }

    #[test]
    fn max_items_shrinks_the_last_request() {
        let (stream, log) = numbers(100, 3, true);
        let items = block_on(stream.max_items(5).collect_items()).unwrap();
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
        assert_eq!(*log.lock().unwrap(), vec![(0, 3), (3, 2)]);
        let (stream, log) = numbers(100, 3, true);
        assert!(block_on(stream.max_items(0).collect_items())
            .unwrap()
            .is_empty());
        assert!(log.lock().unwrap().is_empty());
    }

    #[test]
    fn an_error_is_yielded_once_and_ends_the_stream() {
        let calls = Arc::new(Mutex::new(0u64));
        let counter = Arc::clone(&calls);
        let mut stream = PageStream::offset(0, 2, move |offset, _limit| {
            *counter.lock().unwrap() += 1;
            async move {
                if offset >= 2 {
                    Err(Error::Config("page failed".into()))
                } else {
                    Ok(Page::new(vec![offset, offset + 1], None))
                }
            }
        });
        block_on(async {
            assert_eq!(stream.next_item().await.unwrap().unwrap(), 0);
            assert_eq!(stream.next_item().await.unwrap().unwrap(), 1);
            assert!(matches!(
                stream.next_item().await,
                Some(Err(Error::Config(_)))
            ));
            assert!(stream.next_item().await.is_none());
            assert!(stream.next_item().await.is_none());
        });
        assert_eq!(*calls.lock().unwrap(), 2);
        assert_eq!(stream.requests(), 2);
    }

    #[test]
    fn cursor_pages_after_the_last_id() {
        let ids: Vec<String> = (0..5).map(|i| format!("id_{i}")).collect();
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&log);
        let stream = PageStream::cursor(
            None,
            2,
            |item: &String| item.cursor_value(),
            move |after: Option<String>, limit| {
                seen.lock().unwrap().push(after.clone());
                let start = match &after {
                    Some(a) => ids.iter().position(|i| i == a).unwrap() + 1,
                    None => 0,
                };
                let end = ids.len().min(start + limit as usize);
                let page = ids[start..end].to_vec();
                async move { Ok(Page::new(page, None)) }
            },
        );
        let items = block_on(stream.collect_items()).unwrap();
        assert_eq!(items, ["id_0", "id_1", "id_2", "id_3", "id_4"]);
        assert_eq!(
            *log.lock().unwrap(),
            vec![None, Some("id_1".to_string()), Some("id_3".to_string())]
        );
    }

    #[test]
    fn cursor_stream_ends_when_an_item_has_no_cursor() {
        let stream = PageStream::cursor(
            Some("start".to_string()),
            2,
            |item: &Option<String>| item.cursor_value(),
            |after, _limit| {
                assert_eq!(after.as_deref(), Some("start"));
                async { Ok(Page::new(vec![Some("a".to_string()), None], None)) }
            },
        );
        assert_eq!(block_on(stream.collect_items()).unwrap().len(), 2);
    }

    #[test]
    fn helpers() {
        assert_eq!(page_size(None::<i64>, None), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(Some(0), Some(500)), DEFAULT_PAGE_SIZE);
        assert_eq!(page_size(Some(-3), Some(50)), 50);
        assert_eq!(page_size(Some(1000), Some(500)), 500);
        assert_eq!(page_size(Some(7), Some(500)), 7);
        assert_eq!(page_start(None::<i64>), 0);
        assert_eq!(page_start(Some(-1)), 0);
        assert_eq!(page_start(Some(20)), 20);
        assert_eq!(page_size(Some(25.0), Some(100)), 25);
        assert_eq!(page_size(Some(f64::NAN), Some(50)), 50);
        assert_eq!(page_start(Some(3.0)), 3);
        assert_eq!(i64::from_count(u64::MAX), i64::MAX);
        assert_eq!(f64::from_count(40), 40.0);
        assert_eq!(Some(vec![1, 2]).into_page_items(), vec![1, 2]);
        assert_eq!(None::<Option<Vec<u8>>>.into_page_items(), Vec::<u8>::new());
        assert_eq!(Some(Some(4i64)).page_total(), Some(4));
        assert_eq!((-1i64).page_total(), None);
        assert_eq!(Some(12.0f64).page_total(), Some(12));
        assert_eq!(Some(String::new()).cursor_value(), None);
    }
}
