/*
 * probe.c -- a test plugin whose behaviour is chosen at compile time.
 *
 * Without flags it is a well-behaved plugin with one cost model, "probe", that reports
 * back what the host sent it (every layer field, in `detail`) and computes
 * time = flops / peak_flops_fp32 x scale and power = tdp_watts, so tests can check both the
 * marshalling and the numbers by hand. Each -DPROBE_* flag makes it misbehave in one way
 * that the host must catch and name.
 */
#include <joule_plugin.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifndef PROBE_NAME
#define PROBE_NAME "test.probe"
#endif
#ifndef PROBE_MODEL_ID
#define PROBE_MODEL_ID "probe"
#endif

typedef struct probe_instance {
    const joule_hardware_profile *profile;
    double scale;
    char summary[256]; /* the name of the first network term; lives as long as the instance */
} probe_instance;

static joule_status probe_create(const joule_cost_model *model, const joule_hardware_profile *profile,
                                 const joule_option *options, uint32_t option_count,
                                 joule_cost_instance **out_instance, joule_error *err) {
    (void)model;
    double scale = 1.0;
    for (uint32_t i = 0; i < option_count; i++) {
        if (strcmp(options[i].key, "scale") == 0) {
            scale = atof(options[i].value);
            if (!(scale > 0)) {
                joule_error_set(err, "option 'scale' must be positive, got '%s'", options[i].value);
                return JOULE_INVALID_ARGUMENT;
            }
        }
    }
    probe_instance *instance = malloc(sizeof *instance);
    if (instance == NULL) return JOULE_OUT_OF_MEMORY;
    instance->profile = profile;
    instance->scale = scale;
    *out_instance = (joule_cost_instance *)instance;
    return JOULE_OK;
}

static void probe_destroy(joule_cost_instance *instance) { free(instance); }

static int32_t probe_supports(const joule_cost_instance *instance, const joule_layer *layer, joule_error *reason) {
    (void)instance;
    if (layer->op == JOULE_OP_POOLING) {
        joule_error_set(reason, "probe does not model pooling layers");
        return 0;
    }
    return 250; /* deliberately above 100: the host must clamp */
}

static int shape_text(char *out, size_t size, const joule_shape *shape) {
    int n = 0;
    for (uint32_t i = 0; i < shape->rank && (size_t)n < size; i++) {
        n += snprintf(out + n, size - (size_t)n, i == 0 ? "%lld" : "x%lld", (long long)shape->dims[i]);
    }
    return n;
}

static joule_status probe_estimate_layer(joule_cost_instance *opaque, const joule_layer *layer,
                                         joule_estimate *out, joule_error *err) {
    const probe_instance *instance = (const probe_instance *)opaque;
    (void)err;
#if defined(PROBE_ESTIMATE_ERROR)
    joule_error_set(err, "deliberate failure for layer %s", layer->name);
    return JOULE_FAILED;
#endif
    double time = layer->flops / instance->profile->peak_flops_fp32 * instance->scale;
#if defined(PROBE_NAN)
    time = NAN;
#elif defined(PROBE_NEGATIVE)
    time = -1.0;
#elif defined(PROBE_INFINITE)
    time = INFINITY;
#endif
    out->time_seconds = time;
    out->power_watts = instance->profile->tdp_watts;
    out->flags = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_POWER;
    if (out->detail != NULL && out->detail_capacity > 0) {
        out->flags |= JOULE_ESTIMATE_DETAIL;
        char input[128] = "", output[128] = "";
        if (layer->input_count > 0) shape_text(input, sizeof input, &layer->inputs[0]);
        shape_text(output, sizeof output, &layer->output);
        snprintf(out->detail, out->detail_capacity,
                 "name=%s type=%s op=%u variant=%u dir=%u flags=%u precision=%u batch=%lld inputs=%u in=%s out=%s "
                 "pad_mode=%u k=%lldx%lld s=%lldx%lld pad=%lld,%lld,%lld,%lld dil=%lldx%lld groups=%lld params=%lld "
                 "flops=%g in_bytes=%g out_bytes=%g w_bytes=%g",
                 layer->name, layer->type_name, layer->op, layer->variant, layer->direction, layer->flags,
                 layer->precision, (long long)layer->batch, layer->input_count, input, output, layer->padding_mode,
                 (long long)layer->kernel[0], (long long)layer->kernel[1], (long long)layer->stride[0],
                 (long long)layer->stride[1], (long long)layer->padding[0], (long long)layer->padding[1],
                 (long long)layer->padding[2], (long long)layer->padding[3], (long long)layer->dilation[0],
                 (long long)layer->dilation[1], (long long)layer->groups, (long long)layer->params, layer->flops,
                 layer->input_bytes, layer->output_bytes, layer->weight_bytes);
    }
    return JOULE_OK;
}

#ifdef PROBE_MANY_TERMS
#define PROBE_TERM_COUNT 40u
#else
#define PROBE_TERM_COUNT 2u
#endif

/* The summary's length after snprintf wanted to write `wanted` bytes at `used` of `size`:
 * snprintf returns the length it wanted, which can pass the buffer's end, so the length is
 * clamped to the last byte (the NUL), which marks the buffer full. */
static size_t summary_length(size_t used, int wanted, size_t size) {
    if (wanted < 0 || (size_t)wanted >= size - used) return size - 1;
    return used + (size_t)wanted;
}

static joule_status probe_estimate_network(joule_cost_instance *opaque, const joule_network *network,
                                           joule_network_term *const *terms, uint32_t capacity,
                                           uint32_t *out_count, joule_error *err) {
    probe_instance *instance = (probe_instance *)opaque;
    (void)err;
    *out_count = PROBE_TERM_COUNT;
    if (capacity < PROBE_TERM_COUNT) return JOULE_BUFFER_TOO_SMALL;
    /* Term 0 reports, in its name, what the host sent: the graph in particular. */
    /* Every append checks for room first (n + 1 < size) and clamps n, so a large graph is cut
     * at the end of the buffer rather than written past it. */
    char *summary = instance->summary;
    const size_t size = sizeof instance->summary;
    size_t n = summary_length(0, snprintf(summary, size, "network=%s mode=%u layers=%u first=%s batch=%lld params=%lld parents=",
                                          network->name, network->mode, network->layer_count,
                                          network->layer_count > 0 ? network->layers[0]->name : "-",
                                          (long long)network->batch, (long long)network->params), size);
    for (uint32_t i = 0; i < network->layer_count && n + 1 < size; i++) {
        n = summary_length(n, snprintf(summary + n, size - n, i == 0 ? "[" : "|"), size);
        for (uint32_t j = network->parent_offsets[i]; j < network->parent_offsets[i + 1] && n + 1 < size; j++) {
            n = summary_length(n, snprintf(summary + n, size - n, "%u", network->parent_indices[j]), size);
        }
    }
    if (n + 1 < size) snprintf(summary + n, size - n, "]");
    terms[0]->kind = JOULE_TERM_REPORT;
    terms[0]->phase = JOULE_PHASE_OTHER;
    terms[0]->name = instance->summary;
    terms[0]->flags = JOULE_ESTIMATE_TIME;
    terms[0]->time_seconds = 0;
    for (uint32_t i = 1; i < PROBE_TERM_COUNT; i++) {
        terms[i]->kind = JOULE_TERM_ADDITIVE;
        terms[i]->phase = JOULE_PHASE_UPDATE;
        terms[i]->name = "weight_update";
        terms[i]->flags = JOULE_ESTIMATE_TIME;
        terms[i]->time_seconds = network->weight_bytes / instance->profile->memory_bandwidth_bytes_per_second;
    }
    return JOULE_OK;
}

#if defined(PROBE_DESCRIBE) || defined(PROBE_ABI_1_0)
/* What the instance costs with (ABI 1.1), as a model with a fitted file would say it. */
static const char *probe_describe(const joule_cost_instance *instance) {
    (void)instance;
    return "{\"model_files\": [{\"path\": \"/models/probe-fit.json\", \"gpu\": \"PROBE_GPU\", "
           "\"provenance\": {\"data_source\": \"probe.csv\", \"fit_date\": \"2026-01-02\"}}], \"note\": \"made up\"}";
}
#elif defined(PROBE_DESCRIBE_GARBAGE)
static const char *probe_describe(const joule_cost_instance *instance) {
    (void)instance;
    return "model_files: probe-fit.json";
}
#endif

static const joule_option_info probe_options[] = {
    {"scale", "multiplies every time", "1"},
};

static const joule_cost_model probe_model = {
#if defined(PROBE_ABI_1_0)
    /* As a plugin built against ABI 1.0 declares it: the struct ends before
     * describe_instance, so the host must not read that field. */
    .struct_size = offsetof(joule_cost_model, describe_instance),
#else
    .struct_size = sizeof(joule_cost_model),
#endif
    .capabilities = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_POWER,
#if defined(PROBE_NULL_MODEL_ID)
    .id = NULL,
#else
    .id = PROBE_MODEL_ID,
#endif
    .version = "1.2.3",
    .description = "test probe",
    .options = probe_options,
    .option_count = 1,
    .create = probe_create,
    .destroy = probe_destroy,
    .supports = probe_supports,
    .estimate_layer = probe_estimate_layer,
    .estimate_network = probe_estimate_network,
#if defined(PROBE_DESCRIBE) || defined(PROBE_ABI_1_0) || defined(PROBE_DESCRIBE_GARBAGE)
    .describe_instance = probe_describe,
#endif
};

static const joule_cost_model *const models[] = {&probe_model};

static const char *const probe_aliases[] = {"probe-gpu-alias"};
static const joule_source_note probe_notes[] = {{"summary", "made up for tests"}};

static const joule_hardware_profile probe_profile = {
    .struct_size = sizeof(joule_hardware_profile),
    .device_kind = JOULE_DEVICE_GPU,
    .id = "PROBE_GPU",
    .name = "Probe GPU",
    .vendor = "Tests",
    .architecture = "none",
    .aliases = probe_aliases,
    .alias_count = 1,
    .source_note_count = 1,
    .peak_flops_fp32 = 1e12,
    .memory_bandwidth_bytes_per_second = 1e11,
    .memory_bytes = 1e9,
    .tdp_watts = 100,
    .idle_watts = 10,
    .source_notes = probe_notes,
};

static const joule_hardware_profile *const profiles[] = {&probe_profile};

static joule_plugin plugin = {
    .struct_size = sizeof(joule_plugin),
    .abi_version = JOULE_ABI_VERSION,
    .name = PROBE_NAME,
    .version = "1.2.3",
    .description = "test probe plugin",
    .swift_toolchain = NULL,
    .cost_model_count = 1,
    .profile_count = 1,
    .cost_models = models,
    .profiles = profiles,
};

#if defined(PROBE_NO_ENTRY)
#define PROBE_ENTRY joule_plugin_initialise
#else
#define PROBE_ENTRY joule_plugin_init
#endif

JOULE_PLUGIN_EXPORT joule_status PROBE_ENTRY(uint32_t *inout_abi, const joule_host_api *host,
                                             const joule_plugin **out_plugin, joule_error *err) {
    (void)host;
#if defined(PROBE_ABI_MISMATCH) || defined(PROBE_INIT_FAILS)
    (void)out_plugin;
    (void)plugin;
#endif
#if defined(PROBE_ABI_MISMATCH)
    *inout_abi = JOULE_MAKE_VERSION(2, 0);
    joule_error_set(err, "this plugin needs ABI 2.0");
    return JOULE_ABI_MISMATCH;
#elif defined(PROBE_INIT_FAILS)
    (void)inout_abi;
    joule_error_set(err, "licence file /etc/probe.lic not found");
    return JOULE_FAILED;
#elif defined(PROBE_SKIPS_NEGOTIATION)
    /* Accepts whatever the host speaks: a bug that `joule plugins --verify` reports. */
    (void)err;
    *inout_abi = JOULE_ABI_VERSION;
    *out_plugin = &plugin;
    return JOULE_OK;
#else
    joule_status status = joule_negotiate_abi(inout_abi, err);
    if (status != JOULE_OK) return status;
#if defined(PROBE_SWIFT_TOOLCHAIN)
    plugin.swift_toolchain = PROBE_SWIFT_TOOLCHAIN;
#endif
#if defined(PROBE_LOGS)
    host->log(host, JOULE_LOG_WARNING, "probe says hello");
#endif
    *out_plugin = &plugin;
    return JOULE_OK;
#endif
}
