/* cli.h - the xietong command line (every subcommand but serve). */
#ifndef XT_CLI_H
#define XT_CLI_H

#include <stdbool.h>

/* Run a subcommand; returns the process exit status. For "demo",
 * *serve_after is set when the caller should go on to serve. */
int xt_cli_main(int argc, char **argv, bool *serve_after);

/* Options shared by the subcommands: --name value pairs. */
struct xt_opts {
    int argc;
    char **argv;
};

/* The value of --name, or def. */
const char *xt_opt(const struct xt_opts *o, const char *name, const char *def);
bool xt_opt_flag(const struct xt_opts *o, const char *name);
/* Positional argument i (0-based, after the subcommand words), or NULL. */
const char *xt_opt_arg(const struct xt_opts *o, int i);

int xt_cli_demo(const struct xt_opts *o);

#endif
