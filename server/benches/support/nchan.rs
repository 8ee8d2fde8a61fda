//! nginx + nchan, the reference pub/sub server for Server-Sent Events, started
//! on a free port for the live scenes to measure side by side with Laurel:
//! one nginx process (no master), EventSource subscribers at `/sub/:channel`,
//! the same listen backlog as Laurel's (`LISTEN_BACKLOG`; nginx's default is 511), a new
//! subscriber getting only what is published after it arrives (as Laurel's
//! viewers get a snapshot, not the changes before it; nchan's default replays
//! the channel's buffered messages),
//! publishers at `/pub/:channel`. `make bench` installs Debian's `nginx-light`
//! and `libnginx-mod-nchan`; without them the scenes run for Laurel alone.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MODULE: &str = "/usr/lib/nginx/modules/ngx_nchan_module.so";

pub struct Nchan {
    pub base: String,
    child: Child,
    _dir: std::path::PathBuf,
}

impl Nchan {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Nchan {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

/// Starts nginx with nchan, or says why not.
pub fn start() -> Result<Nchan, String> {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| std::path::Path::new(p).exists());
    let nginx = nginx.ok_or("nginx is not installed")?;
    if !std::path::Path::new(MODULE).exists() {
        return Err(format!("{MODULE} is not installed"));
    }
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let dir = std::env::temp_dir().join(format!("laurel-nchan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let d = dir.display();
    let backlog = server::serve::LISTEN_BACKLOG;
    let config = format!(
        "load_module {MODULE};
worker_processes 1;
master_process off;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_rlimit_nofile 65536;
events {{ worker_connections 30000; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port} backlog={backlog};
    location ~ ^/sub/(\\w+)$ {{ nchan_subscriber eventsource; nchan_channel_id $1; nchan_subscriber_first_message newest; }}
    location ~ ^/pub/(\\w+)$ {{ nchan_publisher; nchan_channel_id $1; }}
  }}
}}
"
    );
    let file = dir.join("nginx.conf");
    std::fs::write(&file, config).map_err(|e| e.to_string())?;
    let child = Command::new(nginx)
        .arg("-c")
        .arg(&file)
        .arg("-p")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("nginx: {e}"))?;
    let started = Nchan { base: format!("http://127.0.0.1:{port}"), child, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("nginx did not start listening within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(started)
}
