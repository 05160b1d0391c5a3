#ifndef SIMPUL_CXLSXWRITER_SHIM_H
#define SIMPUL_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#endif
