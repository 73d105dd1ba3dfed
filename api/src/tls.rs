//! The process's TLS provider, shared by every client the engines open (SMTP, IMAP, webhooks).

/// Makes rustls (with ring) the process's TLS provider; calling it again is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
