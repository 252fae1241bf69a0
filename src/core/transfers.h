/* transfers.h -- subscription transfers from a transitioning direct-bill
 * partner to an indirect provider (SPEC §2.10, §3.4; R-TRF-1..14). */
#ifndef CSPD_TRANSFERS_H
#define CSPD_TRANSFERS_H

#include <jansson.h>

#include "../store/store.h"
#include "ctx.h"

/** GET transferseligibility: every subscription of @a customer_id held by
 * the caller, with isEligible and a reason. @param[out] out new bare array. */
int cspd_transfer_eligibility(struct cspd_ctx *c, const char *customer_id, json_t **out);

struct cspd_transfer_line_in {
  const char *subscription_id;
  const char *partner_id_on_record; /* NULL: the transitioning partner's PartnerID */
};

/** Create a transfer request (R-TRF-1..4, 9..12, 14). @param[out] out. */
int cspd_transfer_create(struct cspd_ctx *c, const char *customer_id, const char *source,
                         const char *target, const struct cspd_transfer_line_in *lines, int n,
                         struct cspd_transfer *out);
/** Read a transfer the caller is a side of. */
int cspd_transfer_read(struct cspd_ctx *c, const char *customer_id, const char *id,
                       struct cspd_transfer *out);
/** The provider accepts (R-TRF-5..8): completes in this transaction.
 * @param[out] result TransferSubmitResult (new ref). */
int cspd_transfer_accept(struct cspd_ctx *c, const char *customer_id, const char *id,
                         struct cspd_transfer *out, json_t **result);
int cspd_transfer_reject(struct cspd_ctx *c, const char *customer_id, const char *id,
                         struct cspd_transfer *out);
int cspd_transfer_withdraw(struct cspd_ctx *c, const char *customer_id, const char *id);

#endif
