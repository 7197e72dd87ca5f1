//! Opening zarr stores in object stores: `s3://BUCKET/KEY` through object_store's S3 client,
//! configured by the standard `AWS_*` variables (`AmazonS3Builder::from_env`), and
//! `http(s)://` stores through its HTTP client (read-only: nothing here writes to one).
//!
//! The commands are synchronous; object_store is async. zarrs's `AsyncToSyncStorageAdapter`
//! drives it, blocking the calling thread (the main thread or a rayon worker, never a tokio
//! one) on a multi-threaded tokio runtime made once per process, whose workers run the
//! connections. [`RemoteStore`] wraps the adapter only to read a whole value with one GET: the
//! adapter's `get` asks for the size first (HEAD, then a ranged GET), twice the round trips per
//! chunk, and a plain HTTP server that ignores `Range` answers the ranged GET with the whole
//! body anyway.
//!
//! Every request has a connect timeout, a whole-request timeout and a bounded retry with
//! backoff (object_store's own, on connection errors and 5xx), so a server that is down or stops
//! answering ends the command with an error naming the URL, not a hang.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::http::HttpBuilder;
use object_store::prefix::PrefixStore;
use object_store::{ClientConfigKey, ClientOptions, ObjectStore, RetryConfig};
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytes, MaybeBytesIterator, OffsetBytesIterator,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
    WritableStorageTraits,
};
use zarrs_object_store::AsyncObjectStore;
use zarrs_storage::storage_adapter::async_to_sync::{
    AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
};
use zarrs_storage::AsyncReadableStorageTraits;

use super::url::StoreUrl;

/// Connecting to a server gives up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One request (a chunk GET or PUT) gives up after this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Retries of one request on a connection error or a 5xx answer, with backoff...
const MAX_RETRIES: usize = 3;
/// ...for at most this long in all.
const RETRY_TIMEOUT: Duration = Duration::from_secs(30);

/// The process's tokio runtime, made on first use.
fn runtime() -> Result<&'static tokio::runtime::Runtime, String> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            // reqwest's rustls is built without a default crypto provider (see Cargo.toml):
            // install ring's. An error means one is installed already, which is as good.
            // (Deprecated only for lacking post-quantum key exchange, which S3 does not need.)
            #[allow(deprecated)]
            let _ = rustls::crypto::ring::default_provider().install_default();
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("pymecompress-io")
                .enable_all()
                .build()
                .map_err(|e| format!("starting the I/O runtime: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Blocks the calling (non-tokio) thread on a future run with the process's runtime.
#[derive(Clone)]
pub struct TokioBlockOn(tokio::runtime::Handle);

impl AsyncToSyncBlockOn for TokioBlockOn {
    fn block_on<F: core::future::Future>(&self, future: F) -> F::Output {
        self.0.block_on(future)
    }
}

type Async = AsyncObjectStore<Box<dyn ObjectStore>>;

/// A store in an object store, rooted at a store URL's key, usable by the sync commands.
pub struct RemoteStore {
    adapter: AsyncToSyncStorageAdapter<Async, TokioBlockOn>,
    inner: Arc<Async>,
    block_on: TokioBlockOn,
}

fn client_options() -> ClientOptions {
    ClientOptions::new()
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_timeout(REQUEST_TIMEOUT)
}

fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: MAX_RETRIES,
        retry_timeout: RETRY_TIMEOUT,
        ..RetryConfig::default()
    }
}

/// Opens the store at `url` (its key is the store's root: every key is below it).
///
/// # Errors
/// The client cannot be configured from the environment (a malformed `AWS_*` value, an
/// `http://` endpoint without `AWS_ALLOW_HTTP=true`), or the runtime cannot start. Nothing is
/// sent yet: a bucket or server that is missing or down shows on the first request.
pub fn open(url: &StoreUrl) -> Result<RemoteStore, String> {
    let runtime = runtime()?;
    let fail = |e: object_store::Error| format!("{url}: {e}");
    let store: Box<dyn ObjectStore> = match url {
        StoreUrl::S3 { bucket, key } => {
            // from_env first, then only what the environment has no word for: the timeouts
            // (`with_client_options` would drop AWS_ALLOW_HTTP and the other client settings).
            let s3 = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .with_config(
                    AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                    format!("{}s", CONNECT_TIMEOUT.as_secs()),
                )
                .with_config(
                    AmazonS3ConfigKey::Client(ClientConfigKey::Timeout),
                    format!("{}s", REQUEST_TIMEOUT.as_secs()),
                )
                .with_retry(retry())
                .build()
                .map_err(fail)?;
            if key.is_empty() {
                Box::new(s3)
            } else {
                Box::new(PrefixStore::new(s3, key.as_str()))
            }
        }
        StoreUrl::Http { base, path } => {
            let http = HttpBuilder::new()
                .with_url(format!("{base}/{path}"))
                .with_client_options(client_options().with_allow_http(true))
                .with_retry(retry())
                .build()
                .map_err(fail)?;
            Box::new(http)
        }
    };
    let inner = Arc::new(AsyncObjectStore::new(store));
    let block_on = TokioBlockOn(runtime.handle().clone());
    Ok(RemoteStore {
        adapter: AsyncToSyncStorageAdapter::new(inner.clone(), block_on.clone()),
        inner,
        block_on,
    })
}

impl ReadableStorageTraits for RemoteStore {
    fn get(&self, key: &StoreKey) -> Result<MaybeBytes, StorageError> {
        // One GET for the whole value (see the module comment).
        self.block_on.block_on(self.inner.get(key))
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.adapter.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.adapter.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.adapter.supports_get_partial()
    }
}

impl WritableStorageTraits for RemoteStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        self.adapter.set(key, value)
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        self.adapter.set_partial_many(key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.adapter.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.adapter.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        self.adapter.supports_set_partial()
    }
}

impl ListableStorageTraits for RemoteStore {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.adapter.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.adapter.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.adapter.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.adapter.size_prefix(prefix)
    }
}
