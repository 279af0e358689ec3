/* scry serve: the Prometheus exporter's command (serve.c). */
#ifndef SCRY_CLI_SERVE_H
#define SCRY_CLI_SERVE_H

/* argv[0] is "serve".  The exit status. */
int serve_main(int argc, char **argv);

#endif
