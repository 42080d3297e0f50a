import nodemailer, { type Transporter } from 'nodemailer';
import { RsError } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import { newId, nowIso } from '../../ids.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends over SMTP when SMTP_URL is set; otherwise keeps the message in the
 * outbox table, which admins read on the "Outbox" page.
 */
export class Mailer {
  private readonly transport: Transporter | null;

  constructor(
    private readonly db: Db,
    smtpUrl: string | null,
    private readonly from: string,
  ) {
    this.transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  }

  get mode(): 'smtp' | 'outbox' {
    return this.transport ? 'smtp' : 'outbox';
  }

  async send(mail: Mail): Promise<'smtp' | 'outbox'> {
    if (!this.transport) {
      await this.db
        .insertInto('outbox')
        .values({ id: newId(12), to_address: mail.to, subject: mail.subject, text: mail.text, created_at: nowIso() })
        .execute();
      return 'outbox';
    }
    try {
      await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
      return 'smtp';
    } catch (err) {
      throw new RsError('RS_ERR_MAIL_FAILED', 'The mail server did not accept the invitation. Try again, or send it with your own email program.', { cause: err });
    }
  }

  async outbox(): Promise<{ id: string; to: string; subject: string; text: string; createdAt: string }[]> {
    const rows = await this.db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').limit(500).execute();
    return rows.map((r) => ({ id: r.id, to: r.to_address, subject: r.subject, text: r.text, createdAt: r.created_at }));
  }

  close(): void {
    this.transport?.close();
  }
}
