/* The tool's version: printed by --version and written into every report. */
#ifndef TLSDIAG_VERSION_H
#define TLSDIAG_VERSION_H

#define TLSDIAG_VERSION "0.1.0"

#endif
