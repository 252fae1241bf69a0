/* worker.h -- background work of a running server: scheduled program jobs
 * on the cspd clock (auto-approval, incentive invitations, the monthly
 * direct-bill evaluation) and delivery of the outboxes (e-mail to an SMTP
 * relay, webhook POSTs) with retries and backoff. */
#ifndef CSPD_WORKER_H
#define CSPD_WORKER_H

#include <pthread.h>
#include <stdbool.h>

#include "../http/http.h"

struct cspd_worker_config {
  const char *smtp_url;  /* smtp://host:port or smtps://...; NULL: no relay */
  const char *smtp_from; /* envelope and From: address */
  const char *smtp_user, *smtp_password;
  int interval_ms; /* how often to look for due work */
};

struct cspd_worker {
  struct cspd_server *srv;
  struct cspd_worker_config cfg;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop, running;
};

/** Start the worker thread. 0 or -1. */
int cspd_worker_start(struct cspd_worker *w, struct cspd_server *srv,
                      const struct cspd_worker_config *cfg);
/** Ask the worker to look for work now (e.g. after the clock moved). */
void cspd_worker_kick(struct cspd_worker *w);
/** Stop and join. */
void cspd_worker_stop(struct cspd_worker *w);

/** One pass over the outboxes: deliver what is due. @return deliveries tried. */
int cspd_deliver_due(struct cspd_worker *w);

#endif
