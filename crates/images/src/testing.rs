//! An S3-compatible server in the test's own process (feature `test-s3`): `s3s` serving a
//! temporary directory through `s3s-fs`, on a random loopback port. Nothing has to run before
//! `cargo test`, and each test gets its own server and buckets.

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

use crate::storage::{S3Config, StorageConfig};

const ACCESS_KEY: &str = "orion-test";
const SECRET_KEY: &str = "orion-test-secret";

/// A running in-process S3 server; it stops when the test's runtime does, and its files go when
/// this is dropped.
#[derive(Debug)]
pub struct S3TestServer {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    root: tempfile::TempDir,
    up: tokio::sync::watch::Sender<bool>,
}

impl S3TestServer {
    /// Starts a server on a random loopback port, with no buckets.
    pub async fn start() -> std::io::Result<S3TestServer> {
        let root = tempfile::tempdir()?;
        let fs = s3s_fs::FileSystem::new(root.path()).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let (up, watch) = tokio::sync::watch::channel(true);
        tokio::spawn(async move {
            let http = Builder::new(TokioExecutor::new());
            while let Ok((socket, _)) = listener.accept().await {
                if !*watch.borrow() {
                    continue; // down: the connection is dropped at once
                }
                let connection = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
                let mut watch = watch.clone();
                // Open connections end too when the server goes down.
                tokio::spawn(async move {
                    tokio::select! {
                        _ = connection => {}
                        _ = watch.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Ok(S3TestServer { endpoint, root, up })
    }

    /// Takes the server down (connections dropped, new ones closed at once) or brings it back,
    /// with its files, on the same address.
    pub fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }

    /// Creates bucket `name` (with s3s-fs a bucket is a directory) and returns the storage
    /// configuration that reaches it.
    pub fn bucket(&self, name: &str) -> std::io::Result<StorageConfig> {
        std::fs::create_dir_all(self.root.path().join(name))?;
        Ok(StorageConfig::S3(self.config(name)))
    }

    /// The S3 settings of bucket `name` on this server (path style, its keys).
    pub fn config(&self, name: &str) -> S3Config {
        S3Config {
            endpoint: Some(self.endpoint.clone()),
            bucket: name.to_owned(),
            region: "us-east-1".to_owned(),
            access_key_id: ACCESS_KEY.to_owned(),
            secret_access_key: SECRET_KEY.to_owned(),
            path_style: true,
        }
    }
}
