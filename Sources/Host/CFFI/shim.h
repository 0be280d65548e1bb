// libffi, plus accessors for its static type descriptors: Swift would copy an imported C
// global when taking its address, and libffi needs the real ones.
#include <ffi.h>

static inline ffi_type *joule_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *joule_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *joule_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *joule_ffi_type_double(void) { return &ffi_type_double; }
