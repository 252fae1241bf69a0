/* h_enrollments.c -- /v1/enrollments: the direct-bill -> indirect-reseller
 * transition (R-ENR-*): review form, submit, list, read, operator approve /
 * reject, "accept and continue", and the refused undo (R-ENR-7). */
#include <string.h>

#include "../core/json.h"
#include "../core/program.h"
#include "render.h"

static json_t *render(struct cspd_req *r, const struct cspd_enrollment *e) {
  json_t *form = json_loads(e->form_json, 0, NULL);
  json_t *agreement = json_pack("{s:s, s:b}", "type", "IndirectResellerAgreement", "accepted",
                                e->agreement_accepted_ms != 0);
  if (e->agreement_accepted_ms)
    json_object_set_new(agreement, "acceptedDate",
                        json_string(cspd_iso(r, e->agreement_accepted_ms)));
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:o}, s:o}", "id", e->id, "tenantId",
      e->tenant_id, "program", cspd_program_name(e->program), "status", cspd_mstate_name(e->state),
      "primaryContactEmail", e->contact_email, "submittedDate", cspd_iso(r, e->submitted_ms),
      "agreement", agreement, "form", form ? form : json_object(), "links", "self",
      cspd_link(cspd_arena_printf(r->arena, "/v1/enrollments/%s", e->id), "GET"), "attributes",
      cspd_attributes("Enrollment", e->version));
  if (e->decided_ms)
    json_object_set_new(doc, "decidedDate", json_string(cspd_iso(r, e->decided_ms)));
  if (e->decided_by)
    json_object_set_new(doc, "decidedBy", json_string(e->decided_by));
  return doc;
}

static int reply(struct cspd_req *r, int status, const struct cspd_enrollment *e) {
  cspd_set_etag(r, e->version);
  return cspd_reply_json(r, status, render(r, e));
}

static int program_param(struct cspd_req *r, const char *s, enum cspd_program *p) {
  if (s == NULL)
    s = "indirect_reseller";
  if (cspd_program_parse(s, p) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "program must be indirect_reseller");
  return 0;
}

/* GET /v1/enrollments/form?program=indirect_reseller */
int h_enrollments_form_get(struct cspd_req *r) {
  enum cspd_program p;
  json_t *form;
  if (program_param(r, cspd_query(r, "program"), &p) != 0)
    return -1;
  int rc = cspd_enrollment_form(&r->ctx, p, &form);
  if (rc != 0)
    return rc;
  json_object_set_new(form, "attributes", json_pack("{s:s}", "objectType", "EnrollmentForm"));
  return cspd_reply_json(r, 200, form);
}

/* POST /v1/enrollments {"program","profileEtag","primaryContactEmail"?} */
int h_enrollments_post(struct cspd_req *r) {
  json_t *body;
  const char *program, *etag, *email;
  enum cspd_program p;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "program", false, "", &program) != 0 ||
      cspd_json_str(&r->ctx, body, "profileEtag", false, "", &etag) != 0 ||
      cspd_json_str(&r->ctx, body, "primaryContactEmail", false, "", &email) != 0 ||
      program_param(r, program, &p) != 0)
    return -1;
  struct cspd_enrollment e;
  int rc = cspd_enrollment_submit(&r->ctx, p, etag, email, &e);
  if (rc != 0)
    return rc;
  r->location = cspd_arena_printf(r->arena, "/v1/enrollments/%s", e.id);
  return reply(r, 201, &e);
}

/* GET /v1/enrollments[?status=pending]: the operator sees all, a partner its own. */
int h_enrollments_get(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  enum cspd_mstate st = CSPD_MS_NONE;
  const char *status = cspd_query(r, "status");
  if (status != NULL && (cspd_mstate_parse(status, &st) != 0 || st == CSPD_MS_NONE))
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "status must be pending, approved, active or rejected");
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  json_t *items = json_array();
  const char *next = NULL;
  if (r->who.kind == CSPD_TENANT_OPERATOR) {
    struct cspd_enrollment *rows;
    int n;
    int rc = ops->enrollment_list(r->ctx.db, st, pg.after, pg.size + 1, r->arena, &rows, &n);
    if (rc != 0) {
      json_decref(items);
      return cspd_store_fail(&r->ctx, rc, 0, 0);
    }
    for (int i = 0; i < n && i < pg.size; i++)
      json_array_append_new(items, render(r, &rows[i]));
    if (n > pg.size)
      next = rows[pg.size - 1].id;
  } else {
    struct cspd_enrollment e;
    int rc = ops->enrollment_get_by_tenant(r->ctx.db, r->who.tenant_id, CSPD_PROG_INDIRECT_RESELLER,
                                           r->arena, &e);
    if (rc == 0 && (st == CSPD_MS_NONE || e.state == st))
      json_array_append_new(items, render(r, &e));
    else if (rc != 0 && rc != CSPD_STORE_NOTFOUND) {
      json_decref(items);
      return cspd_store_fail(&r->ctx, rc, 0, 0);
    }
  }
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}

int h_enrollment_get(struct cspd_req *r) {
  struct cspd_enrollment e;
  int rc = cspd_enrollment_read(&r->ctx, r->params[0], &e);
  return rc != 0 ? rc : reply(r, 200, &e);
}

int h_enrollment_approve(struct cspd_req *r) {
  struct cspd_enrollment e;
  int rc = cspd_enrollment_approve(&r->ctx, r->params[0], &e);
  return rc != 0 ? rc : reply(r, 200, &e);
}

int h_enrollment_reject(struct cspd_req *r) {
  const char *reason = NULL;
  if (r->body_len > 0) {
    json_t *body;
    if (cspd_body_object(r, &body) != 0 ||
        cspd_json_str(&r->ctx, body, "reason", false, "", &reason) != 0)
      return -1;
  }
  struct cspd_enrollment e;
  int rc = cspd_enrollment_reject(&r->ctx, r->params[0], reason, &e);
  return rc != 0 ? rc : reply(r, 200, &e);
}

/* POST /v1/enrollments/{id}/agreement/accept -- "Accept and continue" (R-ENR-5). */
int h_enrollment_accept_agreement(struct cspd_req *r) {
  struct cspd_enrollment e;
  int rc = cspd_enrollment_accept_agreement(&r->ctx, r->params[0], &e);
  return rc != 0 ? rc : reply(r, 200, &e);
}

/* DELETE or PATCH /v1/enrollments/{id} -- undoing the transition (R-ENR-7). */
int h_enrollment_undo(struct cspd_req *r) {
  return cspd_enrollment_undo(&r->ctx, r->params[0]);
}
