/* migrations.h -- versioned schema migrations embedded at build time from
 * src/store/<backend>/migrations/NNNN-name.sql. */
#ifndef CSPD_MIGRATIONS_H
#define CSPD_MIGRATIONS_H

struct cspd_migration {
  int version;
  const char *name;
  const char *sql;
};

extern const struct cspd_migration cspd_sqlite_migrations[];
extern const int cspd_sqlite_migrations_count;

#endif
