//! A real IMAP server for the mailbox tests: Debian's Dovecot, started in the foreground on a
//! free port with its own configuration, a passwd-file of users and a Maildir per user under a
//! temporary directory (no daemon, no system configuration touched).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Mail users must not be root: they run as `nobody`.
const MAIL_UID: u32 = 65534;

/// The Sent folder of every test mailbox: flagged `\Sent` (RFC 6154), under a name no client
/// uses by default, so a reader finds it only by its flag.
pub const SENT_FOLDER: &str = "Outbox Copies";

pub struct Dovecot {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

fn dovecot_binary() -> Option<PathBuf> {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn chown_tree(path: &Path) {
    let status = Command::new("chown")
        .args(["-R", &format!("{MAIL_UID}:{MAIL_UID}")])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

impl Dovecot {
    /// Starts Dovecot with these `(user, password)` pairs. The tests that need it are
    /// `#[ignore = "needs Dovecot …"]` (CI runs them with `--include-ignored`): run without
    /// Dovecot installed, they fail rather than pass unchecked.
    pub async fn start(users: &[(&str, &str)]) -> Dovecot {
        let binary =
            dovecot_binary().expect("dovecot is not installed (apt-get install dovecot-imapd)");
        let dir = std::env::temp_dir().join(format!(
            "fluenzr-imap-{}",
            ulid::Ulid::generate().to_string().to_lowercase()
        ));
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        // Dovecot's auth process runs as `dovecot`: it must reach the passwd file.
        chmod(&dir, 0o755);
        let mut passwd = String::new();
        for (user, password) in users {
            let home = dir.join("home").join(user);
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(home.join("Maildir").join(sub)).unwrap();
            }
            chown_tree(&home);
            passwd.push_str(&format!(
                "{user}:{{PLAIN}}{password}:{MAIL_UID}:{MAIL_UID}::{}\n",
                home.display()
            ));
        }
        std::fs::write(dir.join("passwd"), passwd).unwrap();
        chmod(&dir.join("passwd"), 0o644);
        let port = free_port();
        let config = format!(
            r#"base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox "{sent}" {{
    special_use = \Sent
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"#,
            dir = dir.display(),
            sent = SENT_FOLDER,
        );
        let conf = dir.join("dovecot.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot starts");
        let server = Dovecot { port, dir, child };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "dovecot did not listen on {port}: {}",
            std::fs::read_to_string(server.dir.join("dovecot.log")).unwrap_or_default()
        );
    }

    fn maildir(&self, user: &str) -> PathBuf {
        self.dir.join("home").join(user).join("Maildir")
    }

    /// Delivers one message the way an MTA does: written into `tmp/`, renamed into `new/`.
    pub fn deliver(&self, user: &str, raw: &str) {
        let name = format!("{}.fluenzr-test", ulid::Ulid::generate());
        let tmp = self.maildir(user).join("tmp").join(&name);
        std::fs::write(&tmp, raw.replace('\n', "\r\n")).unwrap();
        let new = self.maildir(user).join("new").join(&name);
        std::fs::rename(&tmp, &new).unwrap();
        chown_tree(&new);
    }

    /// Saves a message into `folder` over IMAP (`APPEND`), as a mail client saves what it sent.
    pub async fn append(&self, user: &str, password: &str, folder: &str, raw: &str) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut until = async |prefix: &str| loop {
            let line = lines.next_line().await.unwrap().expect("an answer");
            if line.starts_with(prefix) {
                assert!(!line.contains(" NO ") && !line.contains(" BAD "), "{line}");
                return line;
            }
        };
        until("* OK").await;
        write
            .write_all(format!("a1 LOGIN \"{user}\" \"{password}\"\r\n").as_bytes())
            .await
            .unwrap();
        until("a1 ").await;
        let body = raw.replace('\n', "\r\n");
        write
            .write_all(format!("a2 APPEND \"{folder}\" {{{}}}\r\n", body.len()).as_bytes())
            .await
            .unwrap();
        until("+").await;
        write.write_all(body.as_bytes()).await.unwrap();
        write.write_all(b"\r\n").await.unwrap();
        let done = until("a2 ").await;
        assert!(done.starts_with("a2 OK"), "{done}");
        write.write_all(b"a3 LOGOUT\r\n").await.unwrap();
    }

    /// The raw messages of one folder (Maildir++: `.<folder>`), in name order.
    pub fn messages_in(&self, user: &str, folder: &str) -> Vec<String> {
        let root = self.maildir(user).join(format!(".{folder}"));
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(root.join(sub)) else {
                continue;
            };
            for entry in entries {
                let entry = entry.unwrap();
                found.push((
                    entry.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(entry.path()).unwrap(),
                ));
            }
        }
        found.sort();
        found.into_iter().map(|(_, raw)| raw).collect()
    }

    /// The file names of every message (their flags are in the name after `:2,`).
    pub fn files(&self, user: &str) -> Vec<String> {
        let mut names = Vec::new();
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(self.maildir(user).join(sub)).unwrap() {
                names.push(entry.unwrap().file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        names
    }

    /// Makes the mailbox start over with a new UIDVALIDITY (as a restored or recreated mailbox
    /// does): Dovecot renumbers everything when its UID list is gone.
    pub fn renumber(&self, user: &str) {
        for name in [
            "dovecot-uidlist",
            "dovecot.index",
            "dovecot.index.cache",
            "dovecot.index.log",
        ] {
            let _ = std::fs::remove_file(self.maildir(user).join(name));
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
