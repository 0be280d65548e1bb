/*
 * roofline.c -- a complete Joule cost-model plugin in plain C.
 *
 * The roofline model (Williams, Waterman and Patterson, CACM 2009): a layer can finish no
 * faster than its arithmetic allows (FLOPs / peak FLOP/s) and no faster than its memory
 * traffic allows (bytes / bandwidth), so its time is the larger of the two. It estimates
 * time only, for every layer the host describes; `efficiency` scales both peaks down to what
 * real kernels reach.
 *
 * Build:  cc -std=c99 -shared -fPIC -I <joule>/Sources/PluginAPI/include roofline.c -o libroofline.so
 * Use:    joule models --plugin-path libroofline.so --gpu H100
 */
#include <joule_plugin.h>
#include <stdlib.h>
#include <string.h>

typedef struct roofline_instance {
    double flops_per_second;  /* peak x efficiency */
    double bytes_per_second;  /* bandwidth x efficiency */
} roofline_instance;

static joule_status roofline_create(const joule_cost_model *model, const joule_hardware_profile *profile,
                                    const joule_option *options, uint32_t option_count,
                                    joule_cost_instance **out_instance, joule_error *err) {
    (void)model;
    double efficiency = 1.0;
    for (uint32_t i = 0; i < option_count; i++) {
        if (strcmp(options[i].key, "efficiency") == 0) {
            char *end = NULL;
            efficiency = strtod(options[i].value, &end);
            if (end == options[i].value || *end != '\0' || !(efficiency > 0.0 && efficiency <= 1.0)) {
                joule_error_set(err, "option 'efficiency' must be a number in (0, 1], got '%s'", options[i].value);
                return JOULE_INVALID_ARGUMENT;
            }
        }
    }
    if (!(profile->peak_flops_fp32 > 0.0) || !(profile->memory_bandwidth_bytes_per_second > 0.0)) {
        joule_error_set(err, "profile %s lacks a peak FLOP rate or a memory bandwidth", profile->id);
        return JOULE_UNSUPPORTED;
    }
    roofline_instance *instance = malloc(sizeof *instance);
    if (instance == NULL) return JOULE_OUT_OF_MEMORY;
    instance->flops_per_second = profile->peak_flops_fp32 * efficiency;
    instance->bytes_per_second = profile->memory_bandwidth_bytes_per_second * efficiency;
    *out_instance = (joule_cost_instance *)instance;
    return JOULE_OK;
}

static void roofline_destroy(joule_cost_instance *instance) {
    free(instance);
}

static int32_t roofline_supports(const joule_cost_instance *instance, const joule_layer *layer, joule_error *reason) {
    (void)instance;
    if (layer->op == JOULE_OP_INPUT) {
        joule_error_set(reason, "input layers do no work");
        return 0;
    }
    return 20; /* a bound, not a prediction: let better models win */
}

static joule_status roofline_estimate_layer(joule_cost_instance *opaque, const joule_layer *layer,
                                            joule_estimate *out, joule_error *err) {
    (void)err;
    const roofline_instance *instance = (const roofline_instance *)opaque;
    double compute = layer->flops / instance->flops_per_second;
    double memory = (layer->input_bytes + layer->output_bytes + layer->weight_bytes) / instance->bytes_per_second;
    out->time_seconds = compute > memory ? compute : memory;
    out->compute_seconds = compute;
    out->memory_seconds = memory;
    out->flags = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_BREAKDOWN;
    return JOULE_OK;
}

static const joule_option_info roofline_options[] = {
    {"efficiency", "fraction of peak FLOP/s and bandwidth that kernels reach, in (0, 1]", "1.0"},
};

static const joule_cost_model roofline_model = {
    .struct_size = sizeof(joule_cost_model),
    .capabilities = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_BREAKDOWN,
    .id = "roofline",
    .version = "1.0.0",
    .description = "roofline bound: max(FLOPs / peak, bytes / bandwidth)",
    .options = roofline_options,
    .option_count = 1,
    .create = roofline_create,
    .destroy = roofline_destroy,
    .supports = roofline_supports,
    .estimate_layer = roofline_estimate_layer,
    .estimate_network = NULL,
};

static const joule_cost_model *const cost_models[] = {&roofline_model};

static const joule_plugin plugin = {
    .struct_size = sizeof(joule_plugin),
    .abi_version = JOULE_ABI_VERSION,
    .name = "example.roofline",
    .version = "1.0.0",
    .description = "Roofline time model, written in C",
    .swift_toolchain = NULL,
    .cost_model_count = 1,
    .cost_models = cost_models,
};

JOULE_PLUGIN_EXPORT joule_status joule_plugin_init(uint32_t *inout_abi, const joule_host_api *host,
                                                   const joule_plugin **out_plugin, joule_error *err) {
    joule_status status = joule_negotiate_abi(inout_abi, err);
    if (status != JOULE_OK) return status;
    host->log(host, JOULE_LOG_DEBUG, "roofline plugin loaded");
    *out_plugin = &plugin;
    return JOULE_OK;
}
