//! A throw-away demo server for the report commands (`load`, `render`, `screens`, `lighthouse`): the deployment build
//! of `hallpass-server`, seeded with `--demo` on a fresh database in a temporary folder.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::proc::{describe, run};
use crate::{Result, root, step};

/// Builds `hallpass-server` with the deployment profile (`--profile server`), the way it runs
/// in production; returns the binary.
pub fn deployment_server() -> Result<PathBuf> {
    step("Building hallpass-server with the deployment profile (--profile server)");
    run(Command::new("cargo").current_dir(root()).args([
        "build",
        "--profile",
        "server",
        "--package",
        "hallpass-server",
    ]))?;
    Ok(crate::build::target_dir()
        .join("server")
        .join("hallpass-server"))
}

/// A running server; killed, and its database removed, however the measurement ends.
pub struct DemoServer {
    child: Child,
    data: PathBuf,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// `http://127.0.0.1:PORT`, or `https://…` when started with [`DemoServer::start_https`].
    pub url: String,
}

impl DemoServer {
    /// Starts `binary` with `--demo` on a fresh database in a folder named after `name`, plus
    /// `--demo-devices N` and `--dist DIR` when given; returns once it listens.
    pub fn start(
        binary: &Path,
        name: &str,
        demo_devices: Option<usize>,
        dist: Option<&Path>,
    ) -> Result<Self> {
        Self::launch(binary, name, demo_devices, dist, false, None)
    }

    /// As [`DemoServer::start`], on `database` (a `postgres://` URL) instead of a fresh SQLite
    /// file. Start the instances of one database one after the other: each seeds what is missing.
    pub fn start_on(binary: &Path, database: &str, demo_devices: Option<usize>) -> Result<Self> {
        Self::launch(binary, "pg", demo_devices, None, false, Some(database))
    }

    /// As [`DemoServer::start_on`], also serving the app from `dist` (`cargo xtask push`
    /// opens it in a browser on each of two instances).
    pub fn start_app_on(binary: &Path, database: &str, dist: &Path) -> Result<Self> {
        Self::launch(binary, "pg", None, Some(dist), false, Some(database))
    }

    /// As [`DemoServer::start`], serving HTTPS with a self-signed certificate
    /// (`--tls-self-signed`): what a browser gets in production, `Secure` cookies included.
    pub fn start_https(binary: &Path, name: &str, dist: &Path) -> Result<Self> {
        Self::launch(binary, name, None, Some(dist), true, None)
    }

    fn launch(
        binary: &Path,
        name: &str,
        demo_devices: Option<usize>,
        dist: Option<&Path>,
        https: bool,
        database: Option<&str>,
    ) -> Result<Self> {
        let data = std::env::temp_dir().join(format!("hallpass-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut cmd = Command::new(binary);
        cmd.args(["--demo", "--listen", "127.0.0.1:0", "--database"]);
        match database {
            Some(url) => cmd.arg(url),
            None => cmd.arg(data.join(format!("{name}.sqlite"))),
        }
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped());
        if let Some(n) = demo_devices {
            cmd.args(["--demo-devices", &n.to_string()]);
        }
        if let Some(dist) = dist {
            cmd.arg("--dist").arg(dist);
        }
        if https {
            cmd.arg("--tls-self-signed");
        }
        let mut child = cmd
            .spawn()
            .map_err(|err| format!("could not start `{}`: {err}", describe(&cmd)))?;
        let stdout = child.stdout.take().ok_or("no stdout from the server")?;
        // From here on, dropping `server` stops the process.
        let mut server = Self {
            child,
            data,
            addr: String::new(),
            url: String::new(),
        };
        let mut lines = BufReader::new(stdout).lines();
        server.url = lines
            .by_ref()
            .map_while(std::result::Result::ok)
            .find_map(|line| {
                line.strip_prefix("Hallpass is listening on ")
                    .map(str::to_owned)
            })
            .ok_or("the server exited before it said where it listens")?;
        server.addr = server
            .url
            .split_once("://")
            .map_or(server.url.as_str(), |(_, addr)| addr)
            .to_owned();
        // Keep reading what it prints: with the pipe closed, its next line would fail.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(server)
    }
}

impl DemoServer {
    /// The server's process id (for reading its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
