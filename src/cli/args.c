/*
 * csp — the declarative option parser shared by every command, and the
 * per-command help / usage-error output.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *csp_command_words(const csp_command *cmd, char *buf, size_t size) {
  snprintf(buf, size, "%s%s%s", cmd->name, cmd->subname ? " " : "",
           cmd->subname ? cmd->subname : "");
  return buf;
}

int csp_usage_error(const csp_command *cmd, const char *fmt, ...) {
  va_list ap;
  fputs("csp: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  if (cmd) {
    char words[64];
    csp_command_words(cmd, words, sizeof words);
    fprintf(stderr, "usage: csp %s%s%s\nTry 'csp %s --help'.\n", words,
            cmd->usage && *cmd->usage ? " " : "", cmd->usage ? cmd->usage : "", words);
  } else {
    fputs("Try 'csp --help'.\n", stderr);
  }
  return -CSP_EXIT_USAGE;
}

int csp_bad_text(const csp_command *cmd) {
  return csp_usage_error(cmd, "an argument is not valid UTF-8 text");
}

int csp_read_json_arg(const csp_command *cmd, const char *path, json_t **out) {
  *out = NULL;
  const char *what = strcmp(path, "-") == 0 ? "standard input" : path;
  char *text = NULL; /* owned */
  size_t len = 0;
  if (csp_read_file(path, &text, &len) != 0)
    return csp_usage_error(cmd, "cannot read %s: %s", what, strerror(errno));
  json_error_t err;
  *out = json_loadb(text, len, 0, &err);
  free(text);
  if (!*out)
    return csp_usage_error(cmd, "%s is not valid JSON (line %d, column %d): %s", what, err.line,
                           err.column, err.text);
  return 0;
}

void csp_print_command_help(const csp_command *cmd) {
  char words[64];
  csp_command_words(cmd, words, sizeof words);
  printf("Usage: csp [GLOBAL OPTIONS] %s%s%s\n\n%s\n", words, cmd->usage && *cmd->usage ? " " : "",
         cmd->usage ? cmd->usage : "", cmd->summary);
  if (cmd->options && *cmd->options)
    printf("\nOptions:\n%s", cmd->options);
  if (cmd->example)
    printf("\nExample:\n  %s\n", cmd->example);
  printf("\nGlobal options: --url URL, --json, --verbose, -h/--help (see 'csp --help').\n");
}

/** Find an option by name (name_len bytes of name). */
static const csp_opt *csp_find_opt(const csp_opt *opts, size_t nopts, const char *name,
                                   size_t name_len) {
  for (size_t i = 0; i < nopts; i++) {
    if (strlen(opts[i].name) == name_len && strncmp(opts[i].name, name, name_len) == 0)
      return &opts[i];
  }
  return NULL;
}

int csp_parse_args(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv, const csp_opt *opts,
                   size_t nopts, const char **pos, size_t min_pos, size_t max_pos) {
  /* The global options are accepted after the command words as well. */
  const csp_opt globals[] = {
      {"url", CSP_OPT_STR, &ctx->url_opt},
      {"json", CSP_OPT_FLAG, &ctx->json},
      {"verbose", CSP_OPT_FLAG, &ctx->verbose},
  };
  size_t npos = 0;
  bool only_positional = false;

  for (size_t i = 0; i < max_pos; i++)
    pos[i] = NULL;

  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (only_positional || arg[0] != '-' || strcmp(arg, "-") == 0) {
      if (npos == max_pos)
        return csp_usage_error(cmd, "unexpected argument '%s'", arg);
      pos[npos++] = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_positional = true;
      continue;
    }
    if (arg[1] != '-')
      return csp_usage_error(cmd, "unknown option '%s'", arg);

    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    const csp_opt *opt = csp_find_opt(opts, nopts, name, name_len);
    if (!opt)
      opt = csp_find_opt(globals, sizeof globals / sizeof globals[0], name, name_len);
    if (!opt)
      return csp_usage_error(cmd, "unknown option '--%.*s'", (int)name_len, name);

    if (opt->kind == CSP_OPT_FLAG) {
      if (eq)
        return csp_usage_error(cmd, "option '--%s' takes no value", opt->name);
      *(bool *)opt->dest = true;
      continue;
    }

    const char *value = NULL;
    if (eq) {
      value = eq + 1;
    } else {
      if (i + 1 >= argc)
        return csp_usage_error(cmd, "option '--%s' needs a value", opt->name);
      value = argv[++i];
    }
    if (opt->kind == CSP_OPT_STR) {
      *(const char **)opt->dest = value;
    } else {
      csp_strlist *list = opt->dest;
      if (list->n == CSP_MAX_LIST)
        return csp_usage_error(cmd, "too many '--%s' options (at most %d)", opt->name,
                               CSP_MAX_LIST);
      list->v[list->n++] = value;
    }
  }
  if (npos < min_pos)
    return csp_usage_error(cmd, "missing argument (expected: %s)", cmd->usage);
  return 0;
}

int csp_confirm_step(bool yes, const char *question, const char *not_done) {
  if (yes)
    return 0;
  if (!csp_stdin_is_tty()) {
    fprintf(stderr,
            "csp: %s: standard input is not a terminal to ask for confirmation; "
            "pass --yes to go ahead\n",
            not_done);
    return -CSP_EXIT_USAGE;
  }
  if (!csp_confirm(question)) {
    fprintf(stderr, "csp: %s\n", not_done);
    return -CSP_EXIT_REFUSED;
  }
  return 0;
}
