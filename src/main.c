/* main.c - the single entry point: `xietong serve` starts the HTTP server,
 * every other subcommand goes to the CLI; `xietong demo` loads the demo
 * and then serves it. */
#include "cli/cli.h"
#include "http/serve.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "serve") == 0)
        return xt_serve_main(argc, argv, "var/data");
    bool serve_after = false;
    int rc = xt_cli_main(argc, argv, &serve_after);
    if (rc == 0 && serve_after)
        return xt_serve_main(argc, argv, "var/demo");
    return rc;
}
