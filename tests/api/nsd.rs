//! A real authoritative DNS server for the tests: Debian's NSD, run unprivileged on a free
//! loopback port from zone files written here. Changing a zone rewrites it and restarts the
//! server (it starts in well under a second).

use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nsd {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
    zones: Vec<(String, String)>,
    serial: u32,
}

/// A TXT value as a zone file takes it: quoted strings of at most 255 bytes on one line.
pub fn txt(value: &str) -> String {
    let parts: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c).replace('"', "\\\"")))
        .collect();
    parts.join(" ")
}

fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Nsd {
    /// Serves `zones` (name, records below the SOA and NS).
    pub fn start(zones: &[(&str, &str)]) -> Nsd {
        let dir = std::env::temp_dir().join(format!("fluenzr-nsd-{}", ulid::Ulid::generate()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut nsd = Nsd {
            dir,
            port: free_port(),
            child: None,
            zones: zones
                .iter()
                .map(|(n, r)| ((*n).to_owned(), (*r).to_owned()))
                .collect(),
            serial: 1,
        };
        nsd.run();
        nsd
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Replaces a zone's records (or adds the zone) and restarts the server.
    pub fn set(&mut self, zone: &str, records: &str) {
        match self.zones.iter_mut().find(|(n, _)| n == zone) {
            Some(z) => z.1 = records.to_owned(),
            None => self.zones.push((zone.to_owned(), records.to_owned())),
        }
        self.serial += 1;
        self.stop();
        self.run();
    }

    fn run(&mut self) {
        let dir = self.dir.display().to_string();
        let mut conf = format!(
            "server:\n  ip-address: 127.0.0.1@{port}\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"{dir}\"\n  pidfile: \"{dir}/nsd.pid\"\n  database: \"\"\n  xfrdfile: \"{dir}/xfrd.state\"\n  zonelistfile: \"{dir}/zone.list\"\n  logfile: \"{dir}/nsd.log\"\n  server-count: 1\nremote-control:\n  control-enable: no\n",
            port = self.port
        );
        for (name, records) in &self.zones {
            let file = format!("{name}.zone");
            let zone = format!(
                "$ORIGIN {name}.\n$TTL 0\n@ IN SOA ns.{name}. admin.{name}. ( {serial} 3600 600 86400 0 )\n@ IN NS ns.{name}.\nns IN A 127.0.0.1\n{records}\n",
                serial = self.serial
            );
            std::fs::write(self.dir.join(&file), zone).unwrap();
            conf.push_str(&format!("zone:\n  name: {name}\n  zonefile: {file}\n"));
        }
        std::fs::write(self.dir.join("nsd.conf"), conf).unwrap();
        let _ = std::fs::remove_file(self.dir.join("nsd.pid"));
        let child = Command::new(if std::path::Path::new("/usr/sbin/nsd").exists() {
            "/usr/sbin/nsd"
        } else {
            "nsd"
        })
        .arg("-c")
        .arg(self.dir.join("nsd.conf"))
        .arg("-d")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nsd runs (apt-get install nsd)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(self.addr()).is_err() {
            assert!(
                Instant::now() < deadline,
                "nsd did not start: {}",
                std::fs::read_to_string(self.dir.join("nsd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Listening is not answering: wait until each zone's SOA comes back over UDP (as the
        // resolver asks), so a check right after a restart never meets a server still starting.
        for (name, _) in &self.zones {
            self.wait_for_soa(name, deadline);
        }
    }

    /// Asks for `zone`'s SOA over UDP until an answer with the current serial comes back.
    fn wait_for_soa(&self, zone: &str, deadline: Instant) {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut query = vec![0x4e, 0x53, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for label in zone.split('.') {
            query.push(label.len() as u8);
            query.extend_from_slice(label.as_bytes());
        }
        query.extend_from_slice(&[0, 0, 6, 0, 1]);
        // The SOA's numbers as the zone file writes them: serial, 3600, 600, 86400, 0.
        let mut numbers = Vec::new();
        for n in [self.serial, 3600, 600, 86400, 0] {
            numbers.extend_from_slice(&n.to_be_bytes());
        }
        loop {
            socket.send_to(&query, self.addr()).unwrap();
            let mut answer = [0u8; 512];
            if let Ok(n) = socket.recv(&mut answer) {
                let answer = &answer[..n];
                let current = answer[..2.min(n)] == query[..2]
                    && answer
                        .windows(numbers.len())
                        .any(|w| w == numbers.as_slice());
                if current {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "nsd does not answer for {zone}: {}",
                std::fs::read_to_string(self.dir.join("nsd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // The port is free again before the next start binds it.
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpListener::bind(("127.0.0.1", self.port)).is_err()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Nsd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
