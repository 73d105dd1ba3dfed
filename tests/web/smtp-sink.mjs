// A minimal SMTP server on 127.0.0.1 that accepts every login and message (plain, no TLS),
// so a running campaign really sends during the browser test. For the recipients listed in
// `breakAfterData` it takes the whole message, then closes the connection without the final
// reply: the sender cannot know whether the email was delivered (an unknown outcome).
import { createServer } from 'node:net';

export function startSmtpSink({ breakAfterData = [] } = {}) {
  const messages = [];
  const broken = [];
  const breaking = new Set(breakAfterData.map((a) => a.toLowerCase()));
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let data = '';
    let rcpts = [];
    let auth = ''; // '', 'login-user', 'login-pass', 'plain'
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 sink.test ESMTP ready');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            if (rcpts.some((r) => breaking.has(r))) {
              broken.push({ rcpts, data });
              socket.destroy();
              return;
            }
            messages.push(data);
            data = '';
            reply('250 2.0.0 queued');
          } else data += `${line.startsWith('.') ? line.slice(1) : line}\n`; // dot-stuffing
          continue;
        }
        if (auth) {
          // The answer to a 334 challenge.
          if (auth === 'login-user') {
            auth = 'login-pass';
            reply('334 UGFzc3dvcmQ6');
          } else {
            auth = '';
            reply('235 2.7.0 accepted');
          }
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') {
          socket.write('250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
        } else if (verb === 'HELO') reply('250 sink.test');
        else if (verb === 'AUTH') {
          const [, mech, initial] = line.split(' ');
          if (mech?.toUpperCase() === 'PLAIN' && initial) reply('235 2.7.0 accepted');
          else if (mech?.toUpperCase() === 'PLAIN') {
            auth = 'plain';
            reply('334 ');
          } else {
            auth = 'login-user';
            reply('334 VXNlcm5hbWU6');
          }
        } else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') {
          if (verb === 'RCPT') rcpts.push(line.match(/<([^>]*)>/)?.[1].toLowerCase() ?? '');
          else if (verb !== 'NOOP') rcpts = [];
          reply('250 2.1.0 ok');
        }
        else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'QUIT') {
          reply('221 2.0.0 bye');
          socket.end();
        } else reply('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: server.address().port, messages, broken, close: () => new Promise((r) => server.close(r)) }),
    );
  });
}
