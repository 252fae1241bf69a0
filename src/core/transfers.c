/* transfers.c -- subscription transfers (see transfers.h). Every step is one
 * transaction: two accepts, or an accept and a withdraw, of the same transfer
 * are serialized by the store and the second sees the first's outcome; two
 * creates naming the same subscription collide on its transfer lock. */
#include "transfers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commerce.h"
#include "customers.h"
#include "events.h"
#include "identity.h"
#include "program.h"
#include "util.h"

#define OPS(c) cspd_db_ops((c)->db)

static bool transferable(const char *cls) {
  /* R-TRF-12 */
  return strcmp(cls, "license_based") == 0 || strcmp(cls, "azure_payg") == 0;
}

static bool is_agent(const struct cspd_ctx *c) {
  return c->who != NULL && (c->who->roles & (CSPD_ROLE_ADMIN_AGENT | CSPD_ROLE_SALES_AGENT));
}

/** R-TRF-1: the caller transitioned on its existing direct-bill tenant. */
static int transitioned(struct cspd_ctx *c, const char *tenant) {
  enum cspd_mstate rs, db;
  int rc;
  if ((rc = cspd_membership_state(c, tenant, CSPD_PROG_INDIRECT_RESELLER, &rs)) != 0 ||
      (rc = cspd_membership_state(c, tenant, CSPD_PROG_DIRECT_BILL, &db)) != 0)
    return rc;
  if (rs != CSPD_MS_ACTIVE || (db != CSPD_MS_ACTIVE && db != CSPD_MS_RESTRICTED))
    return cspd_fail(c, CSPD_E_TRF_NOT_TRANSITIONED, NULL);
  return 0;
}

/** A provider holding the customer for @a source (R-TRF-2, R-EXT-0). */
static bool provider_moved(struct cspd_ctx *c, const char *customer, const char *provider,
                           const char *source) {
  struct cspd_holding h;
  if (cspd_customer_holding(c, customer, provider, &h) != 0)
    return false;
  return h.provider && (h.provider_via == NULL || strcmp(h.provider_via, source) == 0);
}

/** Why subscription @a s cannot be transferred now (NULL: it can). */
static const char *why_not(struct cspd_ctx *c, const struct cspd_subscription *s, const char *me,
                           enum cspd_error_id *id) {
  char holder[37];
  if (strcmp(s->holder_tenant_id, me) != 0 || s->reseller_tenant_id != NULL) {
    *id = CSPD_E_TRF_NOT_ACTIVE_SUB;
    return "The subscription is not one of your direct-bill subscriptions.";
  }
  if (!transferable(s->transfer_class)) {
    *id = CSPD_E_TRF_NOT_TRANSFERABLE;
    return cspd_arena_printf(c->arena,
                             "R-TRF-12: %s subscriptions cannot be transferred; cancel it and buy "
                             "it anew through the indirect provider.",
                             s->transfer_class);
  }
  if (strcmp(s->status, "active") != 0) {
    *id = CSPD_E_TRF_NOT_ACTIVE_SUB;
    return cspd_arena_printf(c->arena, "The subscription is %s.", s->status);
  }
  if (s->parent_subscription_id != NULL) {
    *id = CSPD_E_TRF_ADDON_ALONE;
    return cspd_arena_printf(c->arena, "R-TRF-10: an add-on travels with its base subscription %s.",
                             s->parent_subscription_id);
  }
  if (OPS(c)->transfer_lock_get(c->db, s->id, holder) == 0) {
    struct cspd_transfer t;
    if (OPS(c)->transfer_get(c->db, s->customer_tenant_id, holder, c->arena, &t) == 0 &&
        strcmp(t.status, "Active") != 0) {
      *id = CSPD_E_TRF_MOVED;
      return cspd_arena_printf(c->arena, "R-TRF-7: moved to the indirect provider by transfer %s.",
                               holder);
    }
    *id = CSPD_E_TRF_ALREADY_IN_REQUEST;
    return cspd_arena_printf(c->arena, "R-TRF-9: already in transfer request %s.", holder);
  }
  return NULL;
}

int cspd_transfer_eligibility(struct cspd_ctx *c, const char *customer_id, json_t **out) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners transfer subscriptions");
  const char *me = c->who->tenant_id;
  struct cspd_customer cu;
  int rc = cspd_customer_read(c, customer_id, &cu, NULL);
  if (rc != 0)
    return rc;
  if ((rc = transitioned(c, me)) != 0) /* R-TRF-1 */
    return rc;
  /* customer-level reasons: moved to a provider (R-TRF-2), MCA through it (R-TRF-3) */
  const char *customer_reason = "R-TRF-2: the customer has not been moved to an indirect provider.";
  struct cspd_crel *rels;
  int nr;
  if ((rc = OPS(c)->crel_list(c->db, cu.tenant_id, c->arena, &rels, &nr)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < nr; i++) {
    if (rels[i].role != CSPD_CREL_PROVIDER || strcmp(rels[i].state, "active") != 0 ||
        (rels[i].via_tenant_id && strcmp(rels[i].via_tenant_id, me) != 0))
      continue;
    bool accepted, direct;
    if ((rc = cspd_mca_status(c, cu.tenant_id, rels[i].partner_tenant_id, &accepted, &direct)) != 0)
      return rc;
    customer_reason =
        accepted ? NULL
                 : "R-TRF-3: the customer has not accepted the Microsoft Customer Agreement "
                   "through the indirect provider.";
    if (accepted)
      break;
  }
  struct cspd_sub_filter f = {.customer_tenant_id = cu.tenant_id, .visible_to = me};
  struct cspd_subscription *subs;
  int n;
  if ((rc = OPS(c)->sub_list(c->db, &f, "", 1000, c->arena, &subs, &n)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  *out = json_array();
  for (int i = 0; i < n; i++) {
    if (strcmp(subs[i].holder_tenant_id, me) != 0)
      continue; /* only what the caller is billed for directly */
    enum cspd_error_id id;
    const char *why = why_not(c, &subs[i], me, &id);
    if (why == NULL)
      why = customer_reason;
    json_t *it = json_pack("{s:s, s:b}", "id", subs[i].id, "isEligible", why == NULL);
    if (why != NULL)
      json_object_set_new(it, "reason", json_string(why));
    json_array_append_new(*out, it);
  }
  return 0;
}

static json_t *line_json(const struct cspd_subscription *s, int id, const char *por) {
  return json_pack("{s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:[]}", "id", id, "subscriptionId", s->id,
                   "quantity", (json_int_t)s->quantity, "billingCycle", s->billing_cycle,
                   "friendlyName", s->friendly_name, "partnerIdOnRecord", por, "offerId",
                   s->offer_id, "addonItems");
}

static int notify_target(struct cspd_ctx *c, const char *tenant, const char *subject,
                         const char *body) {
  struct cspd_location l;
  if (OPS(c)->location_get(c->db, tenant, c->arena, &l) != 0)
    return 0;
  return cspd_notify(c, tenant, l.contact.email, "transfer", subject, body);
}

int cspd_transfer_create(struct cspd_ctx *c, const char *customer_id, const char *source,
                         const char *target, const struct cspd_transfer_line_in *lines, int n,
                         struct cspd_transfer *out) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners transfer subscriptions");
  const char *me = c->who->tenant_id;
  if (!is_agent(c)) /* R-TRF-4 */
    return cspd_fail(c, CSPD_E_TRF_SOURCE_ROLE, NULL);
  char src[37], tgt[37];
  if (source == NULL || cspd_guid_normalize(source, src) != 0 || target == NULL ||
      cspd_guid_normalize(target, tgt) != 0)
    return cspd_fail(c, CSPD_E_TRF_INVALID,
                     "sourcePartnerTenantId and targetPartnerTenantId "
                     "must be tenant GUIDs");
  if (strcmp(src, me) != 0)
    return cspd_fail(c, CSPD_E_TRF_INVALID, "sourcePartnerTenantId must be your own tenant");
  if (n < 1 || n > 100)
    return cspd_fail(c, CSPD_E_TRF_INVALID, "1 to 100 line items");
  struct cspd_customer cu;
  int rc = cspd_customer_read(c, customer_id, &cu, NULL);
  if (rc != 0)
    return rc;
  if ((rc = transitioned(c, me)) != 0) /* R-TRF-1 */
    return rc;
  if ((rc = cspd_rule_mpa(c, me)) != 0) /* R-MPA-1 */
    return rc;
  /* R-TRF-2: the customer was moved to the target provider (R-EXT-0) */
  if (!provider_moved(c, cu.tenant_id, tgt, me))
    return cspd_fail(c, CSPD_E_TRF_CUSTOMER_NOT_MOVED, NULL);
  /* R-TRF-3: the MCA accepted through the provider (R-MCA-2) */
  bool accepted, direct;
  if ((rc = cspd_mca_status(c, cu.tenant_id, tgt, &accepted, &direct)) != 0)
    return rc;
  if (!accepted)
    return cspd_fail(c, CSPD_E_TRF_MCA, NULL);
  struct cspd_location ml, tl;
  if ((rc = OPS(c)->location_get(c->db, me, c->arena, &ml)) != 0 ||
      (rc = OPS(c)->location_get(c->db, tgt, c->arena, &tl)) != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  memset(out, 0, sizeof *out);
  cspd_guid_new_timed(out->id, c->now_ms);
  json_t *items = json_array();
  int lid = 0;
  for (int i = 0; i < n; i++) {
    struct cspd_subscription s;
    char sid[37];
    if (lines[i].subscription_id == NULL ||
        cspd_guid_normalize(lines[i].subscription_id, sid) != 0 ||
        OPS(c)->sub_get(c->db, sid, c->arena, &s) != 0 ||
        strcmp(s.customer_tenant_id, cu.tenant_id) != 0 || !s.listed) {
      json_decref(items);
      return cspd_fail(c, CSPD_E_SUB_NOT_FOUND, "(lineItems[%d])", i);
    }
    for (int k = 0; k < i; k++) {
      json_t *prev = json_array_get(items, (size_t)k);
      if (strcmp(json_string_value(json_object_get(prev, "subscriptionId")), s.id) == 0) {
        json_decref(items);
        return cspd_fail(c, CSPD_E_TRF_INVALID, "lineItems[%d] repeats lineItems[%d]", i, k);
      }
    }
    enum cspd_error_id id;
    const char *why = why_not(c, &s, me, &id);
    if (why != NULL) {
      json_decref(items);
      return cspd_fail(c, id, "(lineItems[%d]: %s)", i, why);
    }
    const char *por = lines[i].partner_id_on_record && lines[i].partner_id_on_record[0]
                          ? lines[i].partner_id_on_record
                          : ml.mpn_id; /* the transitioning partner is the reseller */
    /* R-ORD-3: the partner of record is a reseller the provider serves, never the provider */
    if ((rc = cspd_rule_partner_of_record(c, tgt, por)) != 0) {
      json_decref(items);
      return rc;
    }
    json_t *line = line_json(&s, lid++, por);
    /* R-TRF-9: one open request per subscription (the lock's key refuses a second) */
    rc = OPS(c)->transfer_lock(c->db, s.id, out->id);
    /* R-TRF-10: the add-ons come along */
    struct cspd_sub_filter f = {.customer_tenant_id = cu.tenant_id, .parent_subscription_id = s.id};
    struct cspd_subscription *adds;
    int na = 0;
    if (rc == 0)
      rc = OPS(c)->sub_list(c->db, &f, "", 500, c->arena, &adds, &na);
    for (int k = 0; rc == 0 && k < na; k++) {
      if (strcmp(adds[k].status, "deleted") == 0)
        continue;
      json_array_append_new(json_object_get(line, "addonItems"), line_json(&adds[k], lid++, por));
      rc = OPS(c)->transfer_lock(c->db, adds[k].id, out->id);
    }
    json_array_append_new(items, line);
    if (rc == CSPD_STORE_CONFLICT) {
      json_decref(items);
      return cspd_fail(c, CSPD_E_TRF_ALREADY_IN_REQUEST, "(lineItems[%d])", i);
    }
    if (rc != 0) {
      json_decref(items);
      return cspd_store_fail(c, rc, 0, 0);
    }
  }
  char *txt = json_dumps(items, JSON_COMPACT);
  json_decref(items);
  memcpy(out->customer_tenant_id, cu.tenant_id, sizeof out->customer_tenant_id);
  memcpy(out->source_tenant_id, me, sizeof out->source_tenant_id);
  memcpy(out->target_tenant_id, tgt, sizeof out->target_tenant_id);
  out->status = "Active";
  out->created_ms = out->modified_ms = c->now_ms;
  out->modified_by = c->who->user_id[0] ? c->who->user_id : c->who->app_id;
  out->lines_json = cspd_arena_strdup(c->arena, txt ? txt : "[]");
  free(txt);
  out->version = 1;
  if ((rc = cspd_store_fail(c, OPS(c)->transfer_insert(c->db, out), 0, 0)) != 0)
    return rc;
  const char *uri =
      cspd_arena_printf(c->arena, "/v1/customers/%s/transfers/%s", cu.tenant_id, out->id);
  /* R-TRF-14: creating a request notifies the provider */
  if ((rc = cspd_audit(c, "create_transfer", "Transfer", out->id, NULL, uri)) != 0 ||
      (rc = cspd_event(c, tgt, "create-transfer", uri, cu.company_name)) != 0 ||
      (rc = cspd_event(c, me, "create-transfer", uri, cu.company_name)) != 0)
    return rc;
  return notify_target(
      c, tgt, cspd_arena_printf(c->arena, "%s requests a subscription transfer", ml.company_name),
      cspd_arena_printf(c->arena,
                        "%s created subscription transfer request %s for its customer %s to "
                        "you. Review it under the customer's Subscriptions > Subscription "
                        "transfer, and accept or reject it.\n",
                        ml.company_name, out->id, cu.company_name));
}

int cspd_transfer_read(struct cspd_ctx *c, const char *customer_id, const char *id,
                       struct cspd_transfer *out) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(c, customer_id, &cu, NULL);
  if (rc != 0)
    return rc;
  char g[37];
  if (id == NULL || cspd_guid_normalize(id, g) != 0)
    return cspd_fail(c, CSPD_E_TRF_NOT_FOUND, NULL);
  rc = OPS(c)->transfer_get(c->db, cu.tenant_id, g, c->arena, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_TRF_NOT_FOUND, 0);
  if (c->who != NULL && c->who->kind == CSPD_TENANT_PARTNER &&
      strcmp(out->source_tenant_id, c->who->tenant_id) != 0 &&
      strcmp(out->target_tenant_id, c->who->tenant_id) != 0)
    return cspd_fail(c, CSPD_E_TRF_NOT_FOUND, NULL);
  return 0;
}

/** The state check of accept, reject and withdraw (900102, 900104). */
static int still_active(struct cspd_ctx *c, const struct cspd_transfer *t) {
  if (strcmp(t->status, "Active") == 0)
    return 0;
  if (strcmp(t->status, "Complete") == 0 || strcmp(t->status, "PartiallyComplete") == 0)
    return cspd_fail(c, CSPD_E_TRF_COMPLETED, "(%s)", t->status);
  return cspd_fail(c, CSPD_E_TRF_PROCESSED, "(%s)", t->status);
}

static int finish(struct cspd_ctx *c, struct cspd_transfer *t, const char *status,
                  const char *lines_json) {
  t->status = status;
  t->modified_ms = c->now_ms;
  t->modified_by = c->who ? (c->who->user_id[0] ? c->who->user_id : c->who->app_id) : NULL;
  if (lines_json != NULL)
    t->lines_json = lines_json;
  t->version++;
  int rc = OPS(c)->transfer_update(c->db, t);
  if (rc == 0)
    rc = OPS(c)->transfer_unlock(c->db, t->id);
  return cspd_store_fail(c, rc, CSPD_E_TRF_NOT_FOUND, 0);
}

/** R-SUB-1, R-TRF-7: add-ons of a moved base that were not part of the request
 * (bought after it was made) are not left active under the suspended source. */
static int suspend_leftovers(struct cspd_ctx *c, const char *base_id) {
  struct cspd_subscription base, *adds;
  int na, rc = OPS(c)->sub_get(c->db, base_id, c->arena, &base);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  struct cspd_sub_filter f = {.customer_tenant_id = base.customer_tenant_id,
                              .parent_subscription_id = base.id};
  if ((rc = OPS(c)->sub_list(c->db, &f, "", 1000, c->arena, &adds, &na)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < na; i++) {
    if (strcmp(adds[i].status, "active") != 0 ||
        strcmp(adds[i].holder_tenant_id, base.holder_tenant_id) != 0)
      continue;
    adds[i].status = "suspended";
    adds[i].version++;
    struct cspd_sub_change sc = {
        .at_ms = c->now_ms, .status = "suspended", .quantity = adds[i].quantity};
    if ((rc = OPS(c)->sub_update(c->db, &adds[i])) != 0 ||
        (rc = OPS(c)->sub_history_add(c->db, adds[i].id, &sc)) != 0)
      return cspd_store_fail(c, rc, 0, 0);
  }
  return 0;
}

/** Keep the moved source subscriptions of a completed transfer locked to it:
 * they never move again nor come back to life at the source (R-TRF-7). */
static int lock_moved(struct cspd_ctx *c, const struct cspd_transfer *t, const json_t *lines) {
  size_t i, k;
  json_t *line, *add;
  int rc = 0;
  json_array_foreach(lines, i, line) {
    if (rc == 0 && json_is_string(json_object_get(line, "newSubscriptionId")))
      rc = OPS(c)->transfer_lock(c->db, json_string_value(json_object_get(line, "subscriptionId")),
                                 t->id);
    json_array_foreach(json_object_get(line, "addonItems"), k, add) {
      if (rc == 0 && json_is_string(json_object_get(add, "newSubscriptionId")))
        rc = OPS(c)->transfer_lock(c->db, json_string_value(json_object_get(add, "subscriptionId")),
                                   t->id);
    }
  }
  return cspd_store_fail(c, rc, 0, 0);
}

/** Move one subscription to the provider. @param[out] err a reason when it
 * cannot (the line fails, the others go on). */
static int move_one(struct cspd_ctx *c, const struct cspd_transfer *t, const json_t *line,
                    const struct cspd_order *order, const char *group, int line_no,
                    const char *parent_new, const char **new_id, const char **err) {
  *err = NULL;
  const char *sid = json_string_value(json_object_get(line, "subscriptionId"));
  const char *por = json_string_value(json_object_get(line, "partnerIdOnRecord"));
  struct cspd_subscription s;
  int rc = OPS(c)->sub_get(c->db, sid, c->arena, &s);
  if (rc != 0 || strcmp(s.status, "deleted") == 0 || !s.listed) {
    *err = "The subscription no longer exists at the source.";
    return rc == CSPD_STORE_NOTFOUND || rc == 0 ? 0 : cspd_store_fail(c, rc, 0, 0);
  }
  /* a base suspended at the source after the request was made does not move (it would come
   * back to life at the provider); an add-on moves in the state it is in */
  if (parent_new == NULL && strcmp(s.status, "active") != 0) {
    *err = cspd_arena_printf(c->arena, "The subscription is %s at the source.", s.status);
    return 0;
  }
  struct cspd_offer of;
  if ((rc = cspd_offer_get(c, s.offer_id, &of)) != 0) {
    *err = "The offer is no longer in the catalog.";
    memset(&c->err, 0, sizeof c->err);
    return 0;
  }
  struct cspd_customer cu;
  if ((rc = OPS(c)->customer_get(c->db, t->customer_tenant_id, c->arena, &cu)) != 0) {
    json_decref(of.doc);
    return cspd_store_fail(c, rc, 0, 0);
  }
  int64_t price, pprice;
  const char *cur, *pcur;
  struct cspd_location tl;
  if ((rc = OPS(c)->location_get(c->db, t->target_tenant_id, c->arena, &tl)) != 0) {
    json_decref(of.doc);
    return cspd_store_fail(c, rc, 0, 0);
  }
  bool sold = cspd_offer_sold_in(&of, cu.country, &price, &cur) &&
              cspd_offer_sold_in(&of, tl.country, &pprice, &pcur);
  json_decref(of.doc);
  if (!sold) {
    *err = "The offer is not sold in the indirect provider's market.";
    return 0;
  }
  /* R-ORD-3: the partner of record must still be a reseller the provider serves (the
   * partnership may have ended since the request was made, R-PRT-4) that signed the MPA */
  if (por != NULL && cspd_rule_partner_of_record(c, t->target_tenant_id, por) != 0) {
    const struct cspd_error_info *ei = cspd_error_info(c->err.id);
    *err = cspd_arena_printf(c->arena, "The partner of record %s cannot be named: %s%s%s%s", por,
                             ei ? ei->description : "refused", ei && ei->rule ? " (" : "",
                             ei && ei->rule ? ei->rule : "", ei && ei->rule ? ")" : "");
    memset(&c->err, 0, sizeof c->err);
    return 0;
  }
  /* R-TRF-8: a new subscription id; an Azure subscription keeps its id
   * (entitlementId); R-TRF-11: the quantity captured at creation */
  struct cspd_subscription n = s;
  cspd_guid_new_timed(n.id, c->now_ms);
  n.order_id = order->id;
  n.line_item_number = line_no;
  n.quantity = json_integer_value(json_object_get(line, "quantity"));
  n.parent_subscription_id = parent_new;
  n.status = parent_new != NULL && strcmp(s.status, "suspended") == 0 ? "suspended" : "active";
  n.partner_id_on_record = por;
  memcpy(n.holder_tenant_id, t->target_tenant_id, sizeof n.holder_tenant_id);
  n.reseller_tenant_id = t->source_tenant_id;
  if (strcmp(s.transfer_class, "azure_payg") != 0) {
    char ent[37];
    cspd_guid_new(ent);
    n.entitlement_id = cspd_arena_strdup(c->arena, ent);
  }
  memcpy(n.currency, cur, 4);
  n.unit_price_minor = price;
  n.created_ms = n.effective_start_ms = c->now_ms;
  n.listed = true;
  n.version = 1;
  if ((rc = cspd_store_fail(c, OPS(c)->sub_insert(c->db, &n), 0, 0)) != 0)
    return rc;
  struct cspd_sub_change ch = {.at_ms = c->now_ms, .status = n.status, .quantity = n.quantity};
  if ((rc = cspd_store_fail(c, OPS(c)->sub_history_add(c->db, n.id, &ch), 0, 0)) != 0)
    return rc;
  /* R-TRF-7: an Azure pay-as-you-go source no longer appears at the source;
   * a license-based source remains, suspended */
  bool payg = strcmp(s.transfer_class, "azure_payg") == 0;
  s.status = payg ? "disabled" : "suspended";
  s.listed = !payg;
  s.version++;
  if ((rc = cspd_store_fail(c, OPS(c)->sub_update(c->db, &s), 0, 0)) != 0)
    return rc;
  struct cspd_sub_change sc = {.at_ms = c->now_ms, .status = s.status, .quantity = s.quantity};
  if ((rc = cspd_store_fail(c, OPS(c)->sub_history_add(c->db, s.id, &sc), 0, 0)) != 0)
    return rc;
  (void)group;
  *new_id = cspd_arena_strdup(c->arena, n.id);
  return 0;
}

int cspd_transfer_accept(struct cspd_ctx *c, const char *customer_id, const char *id,
                         struct cspd_transfer *out, json_t **result) {
  int rc = cspd_transfer_read(c, customer_id, id, out);
  if (rc != 0)
    return rc;
  const char *me = c->who ? c->who->tenant_id : NULL;
  if (me == NULL || strcmp(out->target_tenant_id, me) != 0 || !is_agent(c)) /* R-TRF-5 */
    return cspd_fail(c, CSPD_E_TRF_TARGET_ROLE, NULL);
  if ((rc = still_active(c, out)) != 0)
    return rc;
  if ((rc = cspd_rule_mpa(c, me)) != 0) /* R-MPA-1 */
    return rc;
  if (!provider_moved(c, out->customer_tenant_id, me, out->source_tenant_id)) /* R-EXT-0 */
    return cspd_fail(c, CSPD_E_TRF_CUSTOMER_NOT_MOVED, NULL);
  json_t *lines = json_loads(out->lines_json, 0, NULL);
  json_t *orders = json_array(), *errors = json_array();
  /* one completed order per transfer group: the lines of one billing cycle */
  json_t *groups = json_object(); /* billing cycle -> order id */
  int failed = 0, moved = 0;
  size_t i;
  json_t *line;
  json_array_foreach(lines, i, line) {
    const char *cycle = json_string_value(json_object_get(line, "billingCycle"));
    json_t *g = json_object_get(groups, cycle);
    struct cspd_order order = {0};
    if (g == NULL) {
      cspd_guid_new_timed(order.id, c->now_ms);
      memcpy(order.customer_tenant_id, out->customer_tenant_id, 37);
      memcpy(order.partner_tenant_id, me, 37);
      order.reference_customer_id = out->customer_tenant_id;
      order.billing_cycle = cycle;
      order.status = "completed";
      order.source = "transfer";
      order.created_ms = c->now_ms;
      json_object_set_new(groups, cycle, json_string(order.id));
    } else {
      snprintf(order.id, sizeof order.id, "%s", json_string_value(g));
    }
    const char *new_id = NULL, *err = NULL;
    rc = move_one(c, out, line, &order, order.id, (int)i, NULL, &new_id, &err);
    if (rc != 0)
      break;
    /* the base, then its add-ons, which follow it only when it moved */
    json_t *addons = json_object_get(line, "addonItems");
    size_t nt = 1 + json_array_size(addons);
    for (size_t t = 0; t < nt; t++) {
      json_t *target = t == 0 ? line : json_array_get(addons, t - 1);
      const char *nid = new_id, *e2 = err;
      if (t > 0 && err == NULL) { /* add-ons follow their moved base */
        nid = NULL;
        rc = move_one(c, out, target, &order, order.id, (int)(i * 100 + t), new_id, &nid, &e2);
        if (rc != 0)
          break;
      } else if (t > 0) {
        e2 = "Its base subscription could not be transferred.";
      }
      if (e2 == NULL) {
        /* the group's order exists only when a line of it completed */
        json_object_set_new(target, "transferGroupId", json_string(order.id));
        json_object_set_new(target, "status", json_string("Complete"));
        json_object_set_new(target, "orderId", json_string(order.id));
        json_object_set_new(target, "newSubscriptionId", json_string(nid));
        moved++;
      } else {
        json_object_set_new(target, "status", json_string("Failed"));
        json_object_set_new(target, "transferError", json_string(e2));
        json_array_append_new(
            errors,
            json_pack("{s:O, s:s, s:s}", "lineItemId", json_object_get(target, "id"),
                      "subscriptionId",
                      json_string_value(json_object_get(target, "subscriptionId")), "error", e2));
        failed++;
      }
    }
    if (rc == 0 && err == NULL)
      rc = suspend_leftovers(c, json_string_value(json_object_get(line, "subscriptionId")));
    if (rc != 0)
      break;
  }
  const char *gk;
  json_t *gv;
  json_object_foreach(groups, gk, gv) {
    if (rc != 0)
      break;
    struct cspd_order order = {.billing_cycle = gk,
                               .status = "completed",
                               .source = "transfer",
                               .created_ms = c->now_ms,
                               .reference_customer_id = out->customer_tenant_id};
    snprintf(order.id, sizeof order.id, "%s", json_string_value(gv));
    memcpy(order.customer_tenant_id, out->customer_tenant_id, 37);
    memcpy(order.partner_tenant_id, me, 37);
    bool any = false;
    json_array_foreach(lines, i, line) {
      if (json_string_value(json_object_get(line, "orderId")) &&
          strcmp(json_string_value(json_object_get(line, "orderId")), order.id) == 0)
        any = true;
    }
    if (!any)
      continue;
    rc = cspd_store_fail(c, OPS(c)->order_insert(c->db, &order), 0, 0);
    json_array_append_new(orders,
                          json_pack("{s:s, s:s, s:s, s:{s:s}}", "id", order.id,
                                    "referenceCustomerId", order.customer_tenant_id, "billingCycle",
                                    gk, "attributes", "objectType", "Order"));
  }
  json_decref(groups);
  if (rc == 0) {
    /* R-TRF-6: Complete, or PartiallyComplete with a transferError per failed line */
    char *txt = json_dumps(lines, JSON_COMPACT);
    rc = finish(c, out, failed == 0 ? "Complete" : "PartiallyComplete",
                cspd_arena_strdup(c->arena, txt ? txt : "[]"));
    free(txt);
  }
  if (rc == 0)
    rc = lock_moved(c, out, lines);
  json_decref(lines);
  if (rc != 0) {
    json_decref(orders);
    json_decref(errors);
    return rc;
  }
  const char *uri = cspd_arena_printf(c->arena, "/v1/customers/%s/transfers/%s",
                                      out->customer_tenant_id, out->id);
  const char *ev = failed == 0 ? "complete-transfer" : "fail-transfer";
  const char *body = cspd_arena_printf(
      c->arena, "Subscription transfer %s is %s: %d subscription(s) moved, %d failed.\n", out->id,
      out->status, moved, failed);
  /* R-TRF-14: completion notifies both sides */
  if ((rc = cspd_audit(c, "accept_transfer", "Transfer", out->id, NULL, out->status)) != 0 ||
      (rc = cspd_event(c, out->target_tenant_id, ev, uri, out->id)) != 0 ||
      (rc = cspd_event(c, out->source_tenant_id, ev, uri, out->id)) != 0 ||
      (rc = notify_target(c, out->target_tenant_id, "A subscription transfer completed", body)) !=
          0 ||
      (rc = notify_target(c, out->source_tenant_id, "Your subscription transfer completed",
                          body)) != 0) {
    json_decref(orders);
    json_decref(errors);
    return rc;
  }
  *result = json_pack("{s:o, s:o, s:{s:s}}", "orders", orders, "transferErrors", errors,
                      "attributes", "objectType", "TransferSubmitResult");
  return 0;
}

int cspd_transfer_reject(struct cspd_ctx *c, const char *customer_id, const char *id,
                         struct cspd_transfer *out) {
  int rc = cspd_transfer_read(c, customer_id, id, out);
  if (rc != 0)
    return rc;
  if (c->who == NULL || strcmp(out->target_tenant_id, c->who->tenant_id) != 0 || !is_agent(c))
    return cspd_fail(c, CSPD_E_TRF_TARGET_ROLE, NULL); /* R-TRF-5 */
  if ((rc = still_active(c, out)) != 0 || (rc = finish(c, out, "Reject", NULL)) != 0)
    return rc;
  const char *uri = cspd_arena_printf(c->arena, "/v1/customers/%s/transfers/%s",
                                      out->customer_tenant_id, out->id);
  const char *body = cspd_arena_printf(
      c->arena, "Subscription transfer %s was rejected by the provider.\n", out->id);
  if ((rc = cspd_audit(c, "reject_transfer", "Transfer", out->id, NULL, "Reject")) != 0 ||
      (rc = cspd_event(c, out->source_tenant_id, "update-transfer", uri, out->id)) != 0 ||
      (rc = cspd_event(c, out->target_tenant_id, "update-transfer", uri, out->id)) != 0 ||
      (rc = notify_target(c, out->source_tenant_id, "A subscription transfer was rejected",
                          body)) != 0)
    return rc;
  return notify_target(c, out->target_tenant_id, "You rejected a subscription transfer", body);
}

int cspd_transfer_withdraw(struct cspd_ctx *c, const char *customer_id, const char *id) {
  struct cspd_transfer t;
  int rc = cspd_transfer_read(c, customer_id, id, &t);
  if (rc != 0)
    return rc;
  /* R-TRF-5: the source partner may withdraw an active request */
  if (c->who == NULL || strcmp(t.source_tenant_id, c->who->tenant_id) != 0 || !is_agent(c))
    return cspd_fail(c, CSPD_E_TRF_SOURCE_ROLE, NULL);
  if ((rc = still_active(c, &t)) != 0 || (rc = finish(c, &t, "Withdrawn", NULL)) != 0)
    return rc;
  const char *uri =
      cspd_arena_printf(c->arena, "/v1/customers/%s/transfers/%s", t.customer_tenant_id, t.id);
  if ((rc = cspd_audit(c, "withdraw_transfer", "Transfer", t.id, NULL, "Withdrawn")) != 0 ||
      (rc = cspd_event(c, t.target_tenant_id, "update-transfer", uri, t.id)) != 0)
    return rc;
  return cspd_event(c, t.source_tenant_id, "update-transfer", uri, t.id);
}
