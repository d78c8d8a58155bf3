// A mail server for tests: just enough SMTP on a loopback port for Keycloak to deliver to, and
// every message kept, so a test reads the e-mail Keycloak sent (an update-password link).
import * as net from "node:net";

export interface Mail {
  from: string;
  to: string[];
  /** The message as sent: headers and body, transfer encoding untouched. */
  data: string;
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
  /** The first message to this address, waiting for it to arrive. */
  mailTo(address: string, timeoutMs?: number): Promise<Mail>;
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: Mail[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serve(socket, (mail) => mails.push(mail));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;

  const mailTo = async (address: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = mails.find((m) => m.to.some((to) => to.includes(address)));
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms (got ${mails.length} other)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { port, mails, mailTo, stop };
}

/** One SMTP session: commands line by line, then the message up to the lone "." line. */
function serve(socket: net.Socket, deliver: (mail: Mail) => void): void {
  let buffer = "";
  let receivingData = false;
  let mail: Mail = { from: "", to: [], data: "" };
  const reply = (line: string) => socket.write(`${line}\r\n`);
  reply("220 127.0.0.1 test mail sink");
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    for (;;) {
      if (receivingData) {
        const end = buffer.indexOf("\r\n.\r\n");
        if (end < 0) return;
        deliver({ ...mail, data: buffer.slice(0, end) });
        buffer = buffer.slice(end + 5);
        receivingData = false;
        mail = { from: "", to: [], data: "" };
        reply("250 2.0.0 queued");
        continue;
      }
      const eol = buffer.indexOf("\r\n");
      if (eol < 0) return;
      const line = buffer.slice(0, eol);
      buffer = buffer.slice(eol + 2);
      switch (line.split(" ")[0].toUpperCase()) {
        case "EHLO":
          reply("250-127.0.0.1\r\n250 8BITMIME");
          break;
        case "MAIL":
          mail.from = line.slice("MAIL FROM:".length);
          reply("250 OK");
          break;
        case "RCPT":
          mail.to.push(line.slice("RCPT TO:".length));
          reply("250 OK");
          break;
        case "DATA":
          receivingData = true;
          reply("354 end with <CRLF>.<CRLF>");
          break;
        case "QUIT":
          reply("221 bye");
          socket.end();
          return;
        case "HELO":
        case "RSET":
        case "NOOP":
          reply("250 OK");
          break;
        default:
          reply("502 not implemented");
      }
    }
  });
}
