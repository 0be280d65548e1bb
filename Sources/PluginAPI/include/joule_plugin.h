/*
 * joule_plugin.h -- the Joule plugin ABI.
 *
 * Who includes this file
 * ----------------------
 * Authors of Joule plugins include it: shared libraries that add cost models (how long a
 * layer takes and how much power it draws on a device) and hardware profiles (what a device
 * can do) to the `joule` tool. C, C++ and Rust plugins include it directly; Swift plugins
 * get it through the `PluginAPI` module. The Joule host includes it to load those plugins.
 *
 * Nothing else crosses the boundary: no Swift type, no C++ exception, no allocation that
 * the other side must free. A plugin is found by the host (see README), opened with
 * dlopen(), asked for ONE symbol, `joule_plugin_init`, and never closed.
 *
 * Conventions used throughout
 * ---------------------------
 * - MUST, MUST NOT, SHOULD and MAY are used as in RFC 2119.
 * - Units are SI and appear in field names: seconds, watts, joules, FLOPs (one fused
 *   multiply-add counts as 2), bytes, hertz. Shapes are element counts.
 * - Every struct that may grow starts with `struct_size`. The side that fills a struct sets
 *   it to sizeof() as that side was compiled; the side that reads a struct MUST NOT read a
 *   field that does not lie wholly inside `struct_size` bytes, and uses the documented
 *   default for it instead. See JOULE_HAS_FIELD().
 * - Structs are append-only. A minor ABI version only adds fields at the end, under an
 *   "Added in ABI 1.x" heading. A field's meaning or type never changes; a revision becomes a
 *   new field with a `_v2` suffix and the old slot stays. Structs marked "frozen" never grow.
 * - Arrays of growable structs are arrays of POINTERS, so that a reader compiled against an
 *   older, smaller struct still steps through them correctly.
 * - Strings are NUL-terminated UTF-8. Each pointer states who owns it and how long it lives.
 *
 * WARNING to maintainers: only ever append. Reordering, removing or retyping a field breaks
 * every plugin already built. Tests/PluginAPITests pins every offset of this file.
 */
#ifndef JOULE_PLUGIN_H
#define JOULE_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
#define JOULE_EXTERN_C extern "C"
extern "C" {
#else
#define JOULE_EXTERN_C
#endif

/**
 * JOULE_PLUGIN_EXPORT
 *
 * Put this in front of the plugin's definition of `joule_plugin_init` so the symbol is
 * exported with C linkage and default visibility, also when the library is built with
 * -fvisibility=hidden or as C++.
 */
#define JOULE_PLUGIN_EXPORT JOULE_EXTERN_C __attribute__((visibility("default")))

/* ------------------------------------------------------------------------------------------
 * Versions
 * ---------------------------------------------------------------------------------------- */

/** Packs a major and a minor version into one uint32_t: major in the high 16 bits. */
#define JOULE_MAKE_VERSION(major, minor) ((((uint32_t)(major)) << 16) | ((uint32_t)(minor) & 0xFFFFu))
/** The major part of a packed version. Different majors are incompatible. */
#define JOULE_VERSION_MAJOR(version) (((uint32_t)(version)) >> 16)
/** The minor part of a packed version. A higher minor only adds fields. */
#define JOULE_VERSION_MINOR(version) (((uint32_t)(version)) & 0xFFFFu)

#define JOULE_ABI_VERSION_MAJOR 1
#define JOULE_ABI_VERSION_MINOR 1
/** The ABI version this header describes. */
#define JOULE_ABI_VERSION JOULE_MAKE_VERSION(JOULE_ABI_VERSION_MAJOR, JOULE_ABI_VERSION_MINOR)

/**
 * True when a struct whose first member `struct_size` says `size` bytes holds all of
 * `field`. Readers MUST use it (or an equivalent) before reading any field added after
 * ABI 1.0.
 */
#define JOULE_HAS_FIELD(type, size, field) \
    ((size_t)(size) >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ------------------------------------------------------------------------------------------
 * Status codes and errors
 * ---------------------------------------------------------------------------------------- */

/**
 * Result of every fallible call.
 *
 * An int32_t rather than an enum so that its size is fixed. Plugins MUST return one of the
 * codes below; hosts MUST treat an unknown code as JOULE_FAILED.
 */
typedef int32_t joule_status;

/** Success. Outputs are valid. */
#define JOULE_OK 0
/** Failure; the error buffer says why. Outputs MUST NOT be read. */
#define JOULE_FAILED 1
/** The two sides speak different major ABI versions (see joule_plugin_init). */
#define JOULE_ABI_MISMATCH 2
/** An argument was invalid (a NULL that may not be NULL, an unknown option, a bad value). */
#define JOULE_INVALID_ARGUMENT 3
/** The call is valid but this component cannot answer it (for example a layer it does not
 *  model). The host falls back or reports; this is not a fault of the plugin. */
#define JOULE_UNSUPPORTED 4
/** Memory could not be allocated. */
#define JOULE_OUT_OF_MEMORY 5
/** A caller-provided array was too small; the call says how much is needed and the caller
 *  MAY call again with a larger one. */
#define JOULE_BUFFER_TOO_SMALL 6

/**
 * A caller-owned buffer for a human-readable message. Frozen.
 *
 * The caller (usually the host) owns `message` and sets `capacity`. The callee writes a
 * NUL-terminated UTF-8 message of at most `capacity` bytes, NUL included, truncating if
 * needed, and MUST NOT keep the pointer after returning. The message SHOULD be one line
 * that names what is wrong ("option 'workers' must be a positive integer, got 'x'"); the
 * host adds the plugin, component and layer names itself.
 */
typedef struct joule_error {
    /** Caller-owned buffer; may be NULL when `capacity` is 0. */
    char *message;
    /** Size of `message` in bytes, including room for the terminating NUL. */
    size_t capacity;
} joule_error;

/**
 * Writes a printf-style message into `err`, truncating to its capacity.
 *
 * @param err  may be NULL, in which case nothing is written.
 * @param format  printf format.
 */
static inline void joule_error_set(joule_error *err, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline void joule_error_set(joule_error *err, const char *format, ...) {
    if (err == NULL || err->message == NULL || err->capacity == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, err->capacity, format, args);
    va_end(args);
}

/* ------------------------------------------------------------------------------------------
 * Host services
 * ---------------------------------------------------------------------------------------- */

/** Log levels for joule_host_api.log. */
#define JOULE_LOG_DEBUG 0
#define JOULE_LOG_INFO 1
#define JOULE_LOG_WARNING 2
#define JOULE_LOG_ERROR 3

/**
 * What the host offers a plugin.
 *
 * Owned by the host and valid until the process exits; a plugin MAY keep the pointer.
 * Each plugin gets its own instance, so the host knows who is logging.
 * Thread safety: every function here MAY be called from any thread.
 */
typedef struct joule_host_api {
    /** sizeof(joule_host_api) as the host was compiled. */
    uint32_t struct_size;
    /** The highest ABI version the host speaks, packed with JOULE_MAKE_VERSION. */
    uint32_t abi_version;
    /** Opaque to the plugin; the host's own data. */
    void *host_data;
    /** The host's version string, e.g. "0.1.0". Host-owned, lives until exit. */
    const char *host_version;
    /**
     * Writes one message to the host's log, attributed to this plugin.
     *
     * @param host  the pointer passed to joule_plugin_init.
     * @param level  one of JOULE_LOG_*.
     * @param message  NUL-terminated UTF-8; the host copies it before returning.
     */
    void (*log)(const struct joule_host_api *host, int32_t level, const char *message);
    /**
     * Looks up an optional service by name, so the host can offer more later without a
     * new ABI version (LV2's extension_data idea).
     *
     * @param host  the pointer passed to joule_plugin_init.
     * @param name  service name, e.g. "joule.settings".
     * @return a pointer to the service's own struct (which starts with `struct_size`), or
     *         NULL when the host has no such service. ABI 1.0 hosts offer none and always
     *         return NULL; plugins MUST handle NULL.
     */
    const void *(*get_service)(const struct joule_host_api *host, const char *name);
} joule_host_api;

/* ------------------------------------------------------------------------------------------
 * Hardware profiles
 * ---------------------------------------------------------------------------------------- */

/** Values of joule_hardware_profile.device_kind. */
#define JOULE_DEVICE_GPU 0
#define JOULE_DEVICE_CPU 1
#define JOULE_DEVICE_ACCELERATOR 2

/**
 * Where one number of a profile comes from. Frozen.
 *
 * Both strings are owned by whoever owns the profile and live as long as it.
 */
typedef struct joule_source_note {
    /** The field the note is about, e.g. "peak_flops.fp32", "tdp_watts"; "summary" for an
     *  overall note. */
    const char *field;
    /** The source, e.g. "NVIDIA H100 datasheet (2023), SXM5 column". */
    const char *note;
} joule_source_note;

/**
 * What a device can do, in SI units.
 *
 * Owned by the plugin that provides it; it and every pointer in it MUST stay valid until
 * the process exits. The host never writes to it and may read it from any thread.
 * A number that is not known is 0; cost models MUST check before dividing by one.
 */
typedef struct joule_hardware_profile {
    /** sizeof(joule_hardware_profile) as the plugin was compiled. */
    uint32_t struct_size;
    /** One of JOULE_DEVICE_*. */
    uint32_t device_kind;
    /** Stable identifier, e.g. "H100_SXM": letters, digits, '_', '-', '.'. Never NULL. */
    const char *id;
    /** Display name, e.g. "NVIDIA H100 SXM5 80GB". Never NULL. */
    const char *name;
    /** Vendor, e.g. "NVIDIA". Never NULL; may be empty. */
    const char *vendor;
    /** Architecture, e.g. "Hopper". Never NULL; may be empty. */
    const char *architecture;
    /** Other names the profile answers to (matched without regard to case). May be NULL
     *  when alias_count is 0. */
    const char *const *aliases;
    uint32_t alias_count;
    /** Number of entries in `source_notes`. */
    uint32_t source_note_count;
    /** Dense FP32 peak, FLOP/s. MUST be > 0. */
    double peak_flops_fp32;
    /** Dense FP16 peak on the general-purpose cores, FLOP/s; 0 when unknown. */
    double peak_flops_fp16;
    /** Dense tensor-core peak (FP16/BF16 inputs, FP32 accumulate, no sparsity), FLOP/s;
     *  0 when the device has none. */
    double peak_flops_tensor;
    /** Device memory bandwidth, bytes per second (decimal). MUST be > 0. */
    double memory_bandwidth_bytes_per_second;
    /** Device memory size, bytes. MUST be > 0. */
    double memory_bytes;
    /** Thermal design power / total board power, watts. MUST be > 0. */
    double tdp_watts;
    /** Board power when idle, watts; 0 when unknown. */
    double idle_watts;
    /** Clock used by cost models, hertz; 0 when unknown. */
    double clock_hz;
    /** Device-to-device link bandwidth per direction, bytes per second; 0 when none. */
    double interconnect_bytes_per_second;
    /** Host link (PCIe) bandwidth per direction, bytes per second; 0 when unknown. */
    double host_link_bytes_per_second;
    /** Where the numbers come from, one note per field. May be NULL when the count is 0. */
    const joule_source_note *source_notes;
    /** Paths of polynomial model files fitted for this device (absolute, or relative to
     *  the profile's file). May be NULL when model_file_count is 0. */
    const char *const *model_files;
    uint32_t model_file_count;
    uint32_t reserved0;
    /* Added in ABI 1.x: append here. */
} joule_hardware_profile;

/**
 * Reads hardware profiles from files (drop-in profiles).
 *
 * The host finds candidate files (see README: $JOULE_GPU_PATH, ~/.config/joule/gpus,
 * --gpu-file) and offers each whose name ends with `file_suffix` to the loader.
 * Owned by the plugin; lives until exit.
 */
typedef struct joule_profile_loader {
    /** sizeof(joule_profile_loader) as the plugin was compiled. */
    uint32_t struct_size;
    uint32_t reserved0;
    /** Stable identifier of the loader, e.g. "json". Never NULL. */
    const char *id;
    /** One line for `joule plugins`. Never NULL. */
    const char *description;
    /** File name suffix the loader reads, e.g. ".json". Never NULL. */
    const char *file_suffix;
    /** Opaque to the host; for the plugin's own use. May be NULL. */
    void *plugin_data;
    /**
     * Reads one profile file.
     *
     * @param loader  this descriptor.
     * @param path  the file, NUL-terminated. Host-owned; valid during the call.
     * @param out_profile  on JOULE_OK, receives a profile that the plugin owns and keeps
     *        valid until exit.
     * @param err  on failure, receives one line naming the field at fault and, where known,
     *        the line, e.g. "line 7: field 'tdp_watts': must be positive, got -300". The
     *        host adds the file name.
     * @return JOULE_OK, or JOULE_FAILED with a message. MUST NOT crash on any input.
     * Thread safety: MAY be called from several threads at once with different paths.
     */
    joule_status (*load_file)(const struct joule_profile_loader *loader, const char *path,
                              const joule_hardware_profile **out_profile, joule_error *err);
    /* Added in ABI 1.x: append here. */
} joule_profile_loader;

/* ------------------------------------------------------------------------------------------
 * Layers, as the host describes them to cost models
 * ---------------------------------------------------------------------------------------- */

/** The most dimensions a joule_shape can hold. */
#define JOULE_MAX_RANK 8

/**
 * A tensor shape. Frozen.
 *
 * Activations are NHWC ([batch, height, width, channels], Paleo's layout); flattened
 * activations are [batch, features]. Dimensions are element counts, all >= 1.
 */
typedef struct joule_shape {
    /** Number of dimensions in use, 0..JOULE_MAX_RANK. */
    uint32_t rank;
    uint32_t reserved0;
    /** dims[0..rank-1]; the rest are 0. */
    int64_t dims[JOULE_MAX_RANK];
} joule_shape;

/** Values of joule_layer.op: what the layer computes. Unknown values MAY appear (a newer
 *  host); a cost model that does not know an op declines it in `supports`. */
#define JOULE_OP_UNKNOWN 0
#define JOULE_OP_INPUT 1
#define JOULE_OP_CONVOLUTION 2
#define JOULE_OP_DECONVOLUTION 3
/** variant: JOULE_POOL_MAX or JOULE_POOL_AVERAGE. */
#define JOULE_OP_POOLING 4
/** Also called inner product or dense. */
#define JOULE_OP_FULLY_CONNECTED 5
#define JOULE_OP_CONCAT 6
/** variant: JOULE_ELEMENTWISE_*. Residual additions are JOULE_ELEMENTWISE_SUM. */
#define JOULE_OP_ELEMENTWISE 7
#define JOULE_OP_DROPOUT 8
#define JOULE_OP_SOFTMAX 9
/** variant: JOULE_ACTIVATION_*. */
#define JOULE_OP_ACTIVATION 10
#define JOULE_OP_BATCH_NORM 11
/** Local response normalisation. */
#define JOULE_OP_LRN 12
#define JOULE_OP_RESHAPE 13
#define JOULE_OP_UPSAMPLING 14

/** Variants of JOULE_OP_POOLING. */
#define JOULE_POOL_MAX 0
#define JOULE_POOL_AVERAGE 1
/** Variants of JOULE_OP_ELEMENTWISE. */
#define JOULE_ELEMENTWISE_SUM 0
#define JOULE_ELEMENTWISE_PRODUCT 1
#define JOULE_ELEMENTWISE_MAX 2
/** Variants of JOULE_OP_ACTIVATION. */
#define JOULE_ACTIVATION_RELU 0
#define JOULE_ACTIVATION_SIGMOID 1
#define JOULE_ACTIVATION_TANH 2
#define JOULE_ACTIVATION_OTHER 3

/** Values of joule_layer.direction: which pass of training is being costed. */
#define JOULE_DIRECTION_FORWARD 0
/** Gradient with respect to the layer's input. */
#define JOULE_DIRECTION_BACKWARD_DATA 1
/** Gradient with respect to the layer's weights. */
#define JOULE_DIRECTION_BACKWARD_FILTER 2
/** Applying the weight gradient (an optimizer step over the layer's parameters). */
#define JOULE_DIRECTION_WEIGHT_UPDATE 3

/** Values of joule_layer.padding_mode. */
#define JOULE_PADDING_EXPLICIT 0
#define JOULE_PADDING_SAME 1
#define JOULE_PADDING_VALID 2

/** Values of joule_layer.precision and joule_network.precision. */
#define JOULE_PRECISION_FP32 0
#define JOULE_PRECISION_FP16 1
#define JOULE_PRECISION_BF16 2
#define JOULE_PRECISION_INT8 3

/** Bits of joule_layer.flags. */
/** The layer adds a bias (counted in `params`). */
#define JOULE_LAYER_HAS_BIAS (1u << 0)
/** One of the layer's inputs is the network's data input, so frameworks skip its
 *  data gradient. */
#define JOULE_LAYER_FED_BY_INPUT (1u << 1)
/** The layer's output never reaches a network output (a dead branch). Eager frameworks
 *  still run it; graph compilers remove it. The host decides whether to cost it. */
#define JOULE_LAYER_DEAD (1u << 2)

/**
 * One layer, in one direction, as the host asks a cost model about it.
 *
 * Owned by the host; it and every pointer in it are valid only during the call they are
 * passed to. Cost models MUST copy what they keep. Shapes are those of the FORWARD pass
 * whatever the direction; `flops` and the byte counts are for the direction asked.
 */
typedef struct joule_layer {
    /** sizeof(joule_layer) as the host was compiled. */
    uint32_t struct_size;
    /** One of JOULE_OP_*. */
    uint32_t op;
    /** Sub-kind of `op` (JOULE_POOL_*, JOULE_ELEMENTWISE_*, JOULE_ACTIVATION_*); 0 otherwise. */
    uint32_t variant;
    /** One of JOULE_DIRECTION_*. */
    uint32_t direction;
    /** JOULE_LAYER_* bits. */
    uint32_t flags;
    /** One of JOULE_PRECISION_*. */
    uint32_t precision;
    /** The layer's name in the spec, e.g. "conv2" or "block/inner". Never NULL. */
    const char *name;
    /** The spec's type string, e.g. "Convolution". Never NULL. */
    const char *type_name;
    /** Samples per step (the N of the shapes). */
    int64_t batch;
    /** Number of entries in `inputs`. */
    uint32_t input_count;
    /** One of JOULE_PADDING_*, for ops with a window; JOULE_PADDING_VALID otherwise. */
    uint32_t padding_mode;
    /** Input shapes, one per parent in the spec's order. May be NULL when input_count is 0. */
    const joule_shape *inputs;
    /** Output shape. */
    joule_shape output;
    /** Window height and width (convolution, pooling); 0 for ops without a window. */
    int64_t kernel[2];
    /** Stride along height and width; 1 for ops without a window. */
    int64_t stride[2];
    /** Padding in elements: top, bottom, left, right. MAY be negative: Paleo's SAME rule
     *  can give -1, and the host reproduces it. */
    int64_t padding[4];
    /** Dilation along height and width; 1 when not dilated. */
    int64_t dilation[2];
    /** Convolution groups; 1 otherwise. */
    int64_t groups;
    /** Trainable parameters (weights and biases) of the layer. */
    int64_t params;
    /** Floating-point operations of this direction, as the host counts them (a multiply-add
     *  is 2). Cost models MAY recount from the shapes. */
    double flops;
    /** Bytes of activations this direction reads. */
    double input_bytes;
    /** Bytes of activations this direction writes. */
    double output_bytes;
    /** Bytes of parameters this direction reads or writes. */
    double weight_bytes;
    /** Where the layer runs under model parallelism: the device tag from the spec (Paleo's
     *  `name@k` gives "k"); NULL when the spec does not place the layer (the default
     *  device). Host-owned, valid during the call. */
    const char *device;
    /** The device tags of the layers producing each input, parallel to `inputs`; NULL when
     *  no producer is placed. Entries are NULL for producers on the default device. */
    const char *const *input_devices;
    /** Samples per step as written in the spec's Input layer; `batch` may override it. A
     *  model that reproduces a tool which computes some terms at the spec's batch needs it. */
    int64_t spec_batch;
    /* Added in ABI 1.x: append here. */
} joule_layer;

/** Values of joule_network.mode. */
#define JOULE_MODE_INFERENCE 0
#define JOULE_MODE_TRAINING 1

/**
 * A whole network, for terms that belong to no single layer (gradient exchange, say).
 *
 * Owned by the host; valid only during the call.
 */
typedef struct joule_network {
    /** sizeof(joule_network) as the host was compiled. */
    uint32_t struct_size;
    /** JOULE_MODE_INFERENCE or JOULE_MODE_TRAINING. */
    uint32_t mode;
    /** The network's name. Never NULL. */
    const char *name;
    /** Samples per step. */
    int64_t batch;
    /** Number of entries in `layers`. */
    uint32_t layer_count;
    /** One of JOULE_PRECISION_*. */
    uint32_t precision;
    /** Forward-direction descriptions of every costed layer, in topological order. */
    const joule_layer *const *layers;
    /** Trainable parameters of the whole network. */
    int64_t params;
    /** Bytes of all parameters (the gradient-exchange payload). */
    double weight_bytes;
    /** The graph, in compressed rows: the parents of layers[i] are
     *  parent_indices[parent_offsets[i]] .. parent_indices[parent_offsets[i + 1] - 1], as
     *  indices into `layers`, in the spec's order. `parent_offsets` has layer_count + 1
     *  entries. Parents that were pruned from `layers` are left out. */
    const uint32_t *parent_offsets;
    const uint32_t *parent_indices;
    /* Added in ABI 1.x: append here. */
} joule_network;

/* ------------------------------------------------------------------------------------------
 * Estimates
 * ---------------------------------------------------------------------------------------- */

/** Bits of joule_estimate.flags (what is set) and joule_cost_model.capabilities (what a
 *  model can set). */
#define JOULE_ESTIMATE_TIME (1u << 0)
#define JOULE_ESTIMATE_POWER (1u << 1)
#define JOULE_ESTIMATE_ENERGY (1u << 2)
/** compute_seconds and memory_seconds are set. */
#define JOULE_ESTIMATE_BREAKDOWN (1u << 3)
/** The input lies outside what the model was fitted on; `detail` SHOULD say which feature.
 *  The numbers are still the model's best answer. */
#define JOULE_ESTIMATE_EXTRAPOLATED (1u << 4)
/** flops and memory_bytes are set: the work the model charged for. */
#define JOULE_ESTIMATE_COUNTS (1u << 5)
/** `detail` holds a line of text. A model that writes detail MUST set this bit; the host
 *  reads `detail` only when it is set. */
#define JOULE_ESTIMATE_DETAIL (1u << 6)

/**
 * A cost model's answer.
 *
 * Owned by the host, which zeroes it, sets `struct_size`, `detail` and `detail_capacity`,
 * and passes it to the model to fill. The model sets the JOULE_ESTIMATE_* bits of `flags`
 * for what it filled and MUST NOT write past `struct_size`. The host rejects NaN, infinite
 * and negative numbers and names the plugin, model and layer.
 */
typedef struct joule_estimate {
    /** sizeof(joule_estimate) as the host was compiled. */
    uint32_t struct_size;
    /** JOULE_ESTIMATE_* bits saying which fields below hold answers. */
    uint32_t flags;
    /** Wall time, seconds (JOULE_ESTIMATE_TIME). */
    double time_seconds;
    /** Average power while running, watts (JOULE_ESTIMATE_POWER). */
    double power_watts;
    /** Energy, joules (JOULE_ESTIMATE_ENERGY). When a model sets power and time but not
     *  energy, the host uses power x time. */
    double energy_joules;
    /** Part of time_seconds spent computing, seconds (JOULE_ESTIMATE_BREAKDOWN). */
    double compute_seconds;
    /** Part of time_seconds spent moving memory, seconds (JOULE_ESTIMATE_BREAKDOWN). */
    double memory_seconds;
    /** Host-owned buffer for one optional line of detail (why a prediction is
     *  extrapolated, say), flagged by JOULE_ESTIMATE_DETAIL. May be NULL when
     *  detail_capacity is 0. */
    char *detail;
    /** Size of `detail` in bytes, including the NUL. */
    size_t detail_capacity;
    /** FLOPs the model charged for, which may differ from the host's count
     *  (JOULE_ESTIMATE_COUNTS). */
    double flops;
    /** Bytes of memory traffic the model charged for (JOULE_ESTIMATE_COUNTS). */
    double memory_bytes;
    /* Added in ABI 1.x: append here. */
} joule_estimate;

/** Values of joule_network_term.kind: how the host combines a term with the layer sums. */
/** Part of the step: added to its phase's total. */
#define JOULE_TERM_ADDITIVE 0
/** One of several mutually exclusive options for its phase (the gradient-exchange schemes,
 *  say): reported side by side, never summed together. */
#define JOULE_TERM_ALTERNATIVE 1
/** A figure reported for information (a model-parallel bound, say), never added. */
#define JOULE_TERM_REPORT 2

/** Values of joule_network_term.phase. */
#define JOULE_PHASE_FORWARD 0
#define JOULE_PHASE_BACKWARD 1
#define JOULE_PHASE_UPDATE 2
#define JOULE_PHASE_COMMUNICATION 3
#define JOULE_PHASE_OTHER 4

/**
 * One whole-network term of an estimate: the weight update, a gradient-exchange scheme, a
 * model-parallel bound.
 *
 * Owned by the host, which zeroes it and sets `struct_size`; the model fills the rest and
 * MUST NOT write past `struct_size`.
 */
typedef struct joule_network_term {
    /** sizeof(joule_network_term) as the host was compiled. */
    uint32_t struct_size;
    /** One of JOULE_TERM_*. */
    uint32_t kind;
    /** One of JOULE_PHASE_*. */
    uint32_t phase;
    /** JOULE_ESTIMATE_* bits saying which numbers below hold answers. */
    uint32_t flags;
    /** Stable snake_case name, e.g. "weight_update", "tree", "forward_lower_bound".
     *  Plugin-owned; MUST stay valid until the instance is destroyed. Never NULL. */
    const char *name;
    /** Seconds (JOULE_ESTIMATE_TIME). */
    double time_seconds;
    /** Watts (JOULE_ESTIMATE_POWER). */
    double power_watts;
    /** Joules (JOULE_ESTIMATE_ENERGY). */
    double energy_joules;
    /** The compute part of time_seconds (JOULE_ESTIMATE_BREAKDOWN), so that a host which
     *  assumes compute and memory overlap can take max(compute, memory). */
    double compute_seconds;
    /** The memory part of time_seconds (JOULE_ESTIMATE_BREAKDOWN). */
    double memory_seconds;
    /* Added in ABI 1.x: append here. */
} joule_network_term;

/* ------------------------------------------------------------------------------------------
 * Cost models
 * ---------------------------------------------------------------------------------------- */

/** A key/value setting passed to a cost model at creation. Frozen. Both strings are
 *  host-owned and valid only during `create`. */
typedef struct joule_option {
    const char *key;
    const char *value;
} joule_option;

/** Describes one option a cost model accepts, for help output and for the host to reject
 *  misspelt keys before calling `create`. Frozen. Plugin-owned, lives until exit. */
typedef struct joule_option_info {
    /** The key, e.g. "workers". Never NULL. */
    const char *key;
    /** One line, with unit, e.g. "number of data-parallel workers". Never NULL. */
    const char *description;
    /** The value used when the option is not given, as text; NULL when there is none. */
    const char *default_value;
} joule_option_info;

/** An instance of a cost model bound to one hardware profile; opaque to the host. */
typedef struct joule_cost_instance joule_cost_instance;

/**
 * A cost model: a table of functions plus what describes it.
 *
 * Owned by the plugin; lives until exit.
 *
 * Lifecycle: `create` makes an instance bound to a profile and options; `destroy` ends
 * it. The host calls `destroy` exactly once for each instance `create` made, and makes no
 * call on an instance after destroying it.
 *
 * Thread safety: calls on DISTINCT instances MUST be safe to run concurrently. The host
 * never calls into one instance from two threads at once.
 */
typedef struct joule_cost_model {
    /** sizeof(joule_cost_model) as the plugin was compiled. */
    uint32_t struct_size;
    /** JOULE_ESTIMATE_* bits the model can fill (TIME, POWER, ENERGY, BREAKDOWN). */
    uint32_t capabilities;
    /** Stable identifier, e.g. "paleo": letters, digits, '_', '-', '.'. Never NULL. Unique
     *  within the plugin; the host disambiguates across plugins as "plugin/id". */
    const char *id;
    /** The model's own version, e.g. "1.0.0". Never NULL. */
    const char *version;
    /** One line for `joule plugins`. Never NULL. */
    const char *description;
    /** Opaque to the host; for the plugin's own use. May be NULL. */
    void *plugin_data;
    /** Options the model accepts. May be NULL when option_count is 0. */
    const joule_option_info *options;
    uint32_t option_count;
    uint32_t reserved0;
    /**
     * Makes an instance for one device.
     *
     * @param model  this descriptor.
     * @param profile  the device; valid until exit (profiles always are).
     * @param options  option_count key/value pairs; host-owned, valid during the call.
     *        Every key is one of `options` above (the host checks).
     * @param out_instance  receives the new instance on JOULE_OK.
     * @param err  receives one line on failure ("option 'workers': expected an integer").
     * @return JOULE_OK; JOULE_INVALID_ARGUMENT for a bad option value; JOULE_UNSUPPORTED
     *         when the model cannot cost this device (say why); JOULE_FAILED otherwise.
     */
    joule_status (*create)(const struct joule_cost_model *model,
                           const joule_hardware_profile *profile,
                           const joule_option *options, uint32_t option_count,
                           joule_cost_instance **out_instance, joule_error *err);
    /** Ends an instance made by `create`. The instance MUST NOT be used afterwards. */
    void (*destroy)(joule_cost_instance *instance);
    /**
     * How well the model covers a layer.
     *
     * @return 0 when it cannot cost the layer (write the reason into `reason`, e.g. "no
     *         power model for pooling layers"); 1..100 for how good its answer is, 100 being
     *         the model's home ground. Values above 100 are read as 100.
     */
    int32_t (*supports)(const joule_cost_instance *instance, const joule_layer *layer,
                        joule_error *reason);
    /**
     * Estimates one layer in one direction.
     *
     * @param out  host-owned, zeroed, `struct_size` set; see joule_estimate.
     * @return JOULE_OK; JOULE_UNSUPPORTED when `supports` would say 0; JOULE_FAILED with a
     *         message otherwise.
     */
    joule_status (*estimate_layer)(joule_cost_instance *instance, const joule_layer *layer,
                                   joule_estimate *out, joule_error *err);
    /**
     * Optional: terms of the whole network that belong to no layer, such as the weight
     * update or the gradient exchange of data-parallel training. May be NULL when the
     * model has none.
     *
     * @param network  the network as costed (pruned layers left out); host-owned.
     * @param terms  `capacity` host-owned terms, zeroed, `struct_size` set.
     * @param capacity  number of entries in `terms`.
     * @param out_count  receives the number of terms written; on JOULE_BUFFER_TOO_SMALL,
     *        the number needed.
     * @return JOULE_OK; JOULE_BUFFER_TOO_SMALL when `capacity` is too small (the host then
     *         calls again with more); JOULE_FAILED with a message otherwise.
     */
    joule_status (*estimate_network)(joule_cost_instance *instance, const joule_network *network,
                                     joule_network_term *const *terms, uint32_t capacity,
                                     uint32_t *out_count, joule_error *err);
    /**
     * Optional: estimate_layer for many layers in one call, to spare a boundary crossing per
     * layer. Each layer carries its own direction. May be NULL; the host then calls
     * estimate_layer for each.
     *
     * @param layers  `count` host-owned layers.
     * @param out  `count` host-owned estimates, zeroed, `struct_size` and `detail` set.
     * @param out_failed_index  on failure, receives the index of the layer that failed.
     * @return JOULE_OK when every layer was estimated; otherwise the status of the first
     *         failure, with its message in `err`.
     */
    joule_status (*estimate_layers)(joule_cost_instance *instance, const joule_layer *const *layers,
                                    uint32_t count, joule_estimate *const *out, uint32_t *out_failed_index,
                                    joule_error *err);

    /* Added in ABI 1.1 (a 1.0 plugin's struct_size ends before here). */

    /**
     * Optional: what an instance costs with, for the provenance the host records in every
     * output, so a number can be traced to the model files and fits behind it. One JSON
     * object; by convention {"model_files": [{"path": ..., "provenance": {...}}]} plus any
     * keys of the model's own. May be NULL, and may return NULL.
     *
     * @return a NUL-terminated UTF-8 string owned by the instance, valid until `destroy`.
     */
    const char *(*describe_instance)(const joule_cost_instance *instance);
    /* Added in ABI 1.x: append here. */
} joule_cost_model;

/* ------------------------------------------------------------------------------------------
 * The plugin and its entry point
 * ---------------------------------------------------------------------------------------- */

/**
 * What a plugin library provides.
 *
 * Owned by the plugin; it and everything it points to MUST stay valid until exit (the host
 * never unloads a plugin). The host reads it once after `joule_plugin_init`.
 */
typedef struct joule_plugin {
    /** sizeof(joule_plugin) as the plugin was compiled. */
    uint32_t struct_size;
    /** The ABI version the plugin implements (JOULE_ABI_VERSION when it was built). */
    uint32_t abi_version;
    /** Stable, unique plugin name, e.g. "joule.gpu-profiles". Never NULL. */
    const char *name;
    /** The plugin's version, e.g. "1.0.0". Never NULL. */
    const char *version;
    /** One line for `joule plugins`. Never NULL. */
    const char *description;
    /**
     * NULL for plugins not written in Swift. Swift plugins MUST set it to the toolchain
     * that built them (the PluginAPI module does): Swift has no stable ABI on Linux, so the
     * host refuses a Swift plugin built by another toolchain than its own.
     */
    const char *swift_toolchain;
    uint32_t cost_model_count;
    uint32_t profile_count;
    /** Cost models; may be NULL when the count is 0. */
    const joule_cost_model *const *cost_models;
    /** Hardware profiles; may be NULL when the count is 0. */
    const joule_hardware_profile *const *profiles;
    uint32_t profile_loader_count;
    uint32_t reserved0;
    /** Loaders of drop-in profile files; may be NULL when the count is 0. */
    const joule_profile_loader *const *profile_loaders;
    /* Added in ABI 1.x: append here. */
} joule_plugin;

/** The name of the one symbol every plugin library exports. */
#define JOULE_PLUGIN_ENTRY_SYMBOL "joule_plugin_init"

/**
 * The entry point: `joule_plugin_init`, exported with JOULE_PLUGIN_EXPORT.
 *
 * Called once, on the thread that loads the plugin, right after dlopen().
 *
 * Version negotiation (as Vulkan's loader does it):
 * 1. The host writes the highest ABI version it speaks into `*inout_abi`.
 * 2. If the major versions differ, the plugin writes its own version into `*inout_abi`,
 *    sets `err` and returns JOULE_ABI_MISMATCH. joule_negotiate_abi() does this.
 * 3. Otherwise the plugin writes the version it implements into `*inout_abi` and fills
 *    `*out_plugin`. Minor differences are bridged by `struct_size`.
 *
 * @param inout_abi  in: the host's version; out: the plugin's. Never NULL.
 * @param host  host services; valid until exit. Never NULL.
 * @param out_plugin  receives the plugin descriptor on JOULE_OK. Never NULL.
 * @param err  caller-owned message buffer for failures. Never NULL.
 * @return JOULE_OK, JOULE_ABI_MISMATCH, or another status with a message in `err`.
 *         The plugin MUST NOT abort, exit or raise; a failing plugin returns a status.
 */
typedef joule_status (*joule_plugin_init_fn)(uint32_t *inout_abi, const joule_host_api *host,
                                             const joule_plugin **out_plugin, joule_error *err);

/**
 * Steps 1-2 of the negotiation for C plugins: returns JOULE_OK when the host's major version
 * is this header's; otherwise writes this header's version into `*inout_abi`, explains in
 * `err`, and returns JOULE_ABI_MISMATCH. On JOULE_OK it writes JOULE_ABI_VERSION into
 * `*inout_abi`.
 */
static inline joule_status joule_negotiate_abi(uint32_t *inout_abi, joule_error *err) {
    if (inout_abi == NULL) return JOULE_INVALID_ARGUMENT;
    uint32_t host = *inout_abi;
    *inout_abi = JOULE_ABI_VERSION;
    if (JOULE_VERSION_MAJOR(host) != JOULE_ABI_VERSION_MAJOR) {
        joule_error_set(err, "plugin implements ABI %u.%u, host speaks %u.%u",
                        (unsigned)JOULE_ABI_VERSION_MAJOR, (unsigned)JOULE_ABI_VERSION_MINOR,
                        (unsigned)JOULE_VERSION_MAJOR(host), (unsigned)JOULE_VERSION_MINOR(host));
        return JOULE_ABI_MISMATCH;
    }
    return JOULE_OK;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* JOULE_PLUGIN_H */
