#ifndef SIMPUL_CZSTD_SHIM_H
#define SIMPUL_CZSTD_SHIM_H

// Dictionary training (zdict.h) is part of the public libzstd API.
#include <zstd.h>
#include <zdict.h>

#endif
