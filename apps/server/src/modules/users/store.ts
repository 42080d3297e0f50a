import type { Roles, User } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import type { UsersTable } from '../../db/schema.js';

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: { admin: row.is_admin === 1, rep: row.is_rep === 1, agent: row.is_agent === 1 },
    disabled: row.disabled === 1,
    createdAt: row.created_at,
  };
}

export function roleColumns(roles: Roles): Pick<UsersTable, 'is_admin' | 'is_rep' | 'is_agent'> {
  // A WebACD agent is a rep with a flag: the flag means nothing without the rep role.
  return { is_admin: roles.admin ? 1 : 0, is_rep: roles.rep ? 1 : 0, is_agent: roles.rep && roles.agent ? 1 : 0 };
}

export class UserStore {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map(toUser);
  }

  async byId(id: string): Promise<UsersTable | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byEmail(email: string): Promise<UsersTable | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  async insert(row: UsersTable): Promise<void> {
    await this.db.insertInto('users').values({ ...row, email: row.email.toLowerCase() }).execute();
  }

  async update(id: string, patch: Partial<Omit<UsersTable, 'id' | 'created_at'>>): Promise<void> {
    const values = patch.email ? { ...patch, email: patch.email.toLowerCase() } : patch;
    await this.db.updateTable('users').set(values).where('id', '=', id).execute();
  }

  async activeAdminCount(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .where('disabled', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
