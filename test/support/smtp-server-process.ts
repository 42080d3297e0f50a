/**
 * A real SMTP server process for tests: accepts every message on the given
 * port and prints each as one JSON line ({"to":[...],"subject":..,"text":..}).
 */
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2] ?? '2525');
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...bodyParts] = raw.split(/\r?\n\r?\n/);
      const subject = /^subject:\s*(.*)$/im.exec(head)?.[1] ?? '';
      process.stdout.write(
        `${JSON.stringify({ to: session.envelope.rcptTo.map((r) => r.address), subject, raw, body: bodyParts.join('\n\n') })}\n`,
      );
      callback();
    });
  },
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`SMTP listening on ${port}\n`));
