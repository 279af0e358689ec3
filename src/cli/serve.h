/* scry serve: the Prometheus exporter's command (serve.c). */
#ifndef SCRY_CLI_SERVE_H
#define SCRY_CLI_SERVE_H

/* argv[0] is "serve".  The exit status. */
int serve_main(int argc, char **argv);

/*
 * `scry -c --listen ADDR:PORT ...`, the other spelling of scry serve: when
 * argv (scry's own, before any "--") has --listen, runs scry serve with the
 * same arguments but -c, sets *handled and returns the exit status;
 * otherwise leaves *handled 0.
 */
int serve_c_listen(int argc, char **argv, int *handled);

#endif
