/* serve.h - the `xietong serve` entry point. */
#ifndef XT_SERVE_H
#define XT_SERVE_H

/* argv[1] is the subcommand ("serve" or "demo"); options follow. */
int xt_serve_main(int argc, char **argv, const char *default_dir);

#endif
