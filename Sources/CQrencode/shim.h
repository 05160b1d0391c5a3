#ifndef SIMPUL_CQRENCODE_SHIM_H
#define SIMPUL_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
