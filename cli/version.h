/* version.h - `ambassador --version`. */
#ifndef AMB_CLI_VERSION_H
#define AMB_CLI_VERSION_H

#include <stdio.h>

/* Prints the program's version, the database schema version it writes and
 * the versions of the libraries it runs with, one "name version" per line
 * (format in docs/man/ambassador.1.scd). */
void app_print_version(FILE *f);

#endif
