/*
 * faulty.c -- a test plugin that misbehaves on one layer, in a way chosen at compile time.
 *
 * Without flags it is a plain cost model, "faulty", for the host's profiles:
 * time = flops / peak_flops_fp32 and power = tdp_watts. Each -DFAULTY_* flag makes the
 * forward pass of the layer named FAULTY_LAYER (default "conv2") go wrong in one way, so
 * tests can check that Joule names the plugin, the model and the layer:
 *
 *   FAULTY_NAN_TIME, FAULTY_NEGATIVE_TIME, FAULTY_INFINITE_POWER, FAULTY_NEGATIVE_ENERGY,
 *   FAULTY_NAN_FLOPS   an invalid number
 *   FAULTY_ERROR       JOULE_FAILED with a message
 *   FAULTY_SEGFAULT    a write through NULL (SIGSEGV)
 *   FAULTY_ABORT       abort() (SIGABRT)
 *   FAULTY_EXIT        exit(3) in the middle of the call
 *   FAULTY_HANG        sleeps for ever, after writing its pid to $FAULTY_PID_FILE
 *   FAULTY_NAN_TERM    (not per layer) a whole-network term whose time is NaN
 *   FAULTY_PRINTS      prints to standard output on every call (harmless; it must not
 *                      reach joule's own output nor break --isolate-plugins)
 *
 * FAULTY_BATCH adds estimate_layers, so that the fault surfaces through the batch call.
 */
#define _POSIX_C_SOURCE 200809L
#include <joule_plugin.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FAULTY_NAME
#define FAULTY_NAME "test.faulty"
#endif
#ifndef FAULTY_LAYER
#define FAULTY_LAYER "conv2"
#endif

typedef struct faulty_instance {
    const joule_hardware_profile *profile;
} faulty_instance;

static joule_status faulty_create(const joule_cost_model *model, const joule_hardware_profile *profile,
                                  const joule_option *options, uint32_t option_count,
                                  joule_cost_instance **out_instance, joule_error *err) {
    (void)model;
    (void)options;
    (void)option_count;
    (void)err;
    faulty_instance *instance = malloc(sizeof *instance);
    if (instance == NULL) return JOULE_OUT_OF_MEMORY;
    instance->profile = profile;
    *out_instance = (joule_cost_instance *)instance;
    return JOULE_OK;
}

static void faulty_destroy(joule_cost_instance *instance) { free(instance); }

static int32_t faulty_supports(const joule_cost_instance *instance, const joule_layer *layer, joule_error *reason) {
    (void)instance;
    (void)layer;
    (void)reason;
    return 100;
}

static joule_status faulty_estimate_layer(joule_cost_instance *opaque, const joule_layer *layer,
                                          joule_estimate *out, joule_error *err) {
    const faulty_instance *instance = (const faulty_instance *)opaque;
#if defined(FAULTY_PRINTS)
    printf("faulty plugin chatter about %s\n", layer->name);
    fflush(stdout);
#endif
    out->time_seconds = layer->flops / instance->profile->peak_flops_fp32;
    out->power_watts = instance->profile->tdp_watts;
    out->flags = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_POWER;
    if (strcmp(layer->name, FAULTY_LAYER) != 0 || layer->direction != JOULE_DIRECTION_FORWARD) return JOULE_OK;
    (void)err;
#if defined(FAULTY_NAN_TIME)
    out->time_seconds = NAN;
#elif defined(FAULTY_NEGATIVE_TIME)
    out->time_seconds = -1.0;
#elif defined(FAULTY_INFINITE_POWER)
    out->power_watts = INFINITY;
#elif defined(FAULTY_NEGATIVE_ENERGY)
    out->energy_joules = -5.0;
    out->flags |= JOULE_ESTIMATE_ENERGY;
#elif defined(FAULTY_NAN_FLOPS)
    out->flops = NAN;
    out->memory_bytes = 1e6;
    out->flags |= JOULE_ESTIMATE_COUNTS;
#elif defined(FAULTY_ERROR)
    joule_error_set(err, "deliberate failure: no table entry for %s", layer->name);
    return JOULE_FAILED;
#elif defined(FAULTY_SEGFAULT)
    *(volatile int *)(uintptr_t)0 = 1;
#elif defined(FAULTY_ABORT)
    abort();
#elif defined(FAULTY_EXIT)
    exit(3);
#elif defined(FAULTY_HANG)
    const char *pid_file = getenv("FAULTY_PID_FILE");
    if (pid_file != NULL) {
        FILE *f = fopen(pid_file, "w");
        if (f != NULL) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }
    for (;;) sleep(1000);
#endif
    return JOULE_OK;
}

#if defined(FAULTY_BATCH)
static joule_status faulty_estimate_layers(joule_cost_instance *instance, const joule_layer *const *layers,
                                           uint32_t count, joule_estimate *const *out, uint32_t *out_failed_index,
                                           joule_error *err) {
    for (uint32_t i = 0; i < count; i++) {
        joule_status status = faulty_estimate_layer(instance, layers[i], out[i], err);
        if (status != JOULE_OK) {
            *out_failed_index = i;
            return status;
        }
    }
    return JOULE_OK;
}
#endif

#if defined(FAULTY_NAN_TERM)
static joule_status faulty_estimate_network(joule_cost_instance *instance, const joule_network *network,
                                            joule_network_term *const *terms, uint32_t capacity,
                                            uint32_t *out_count, joule_error *err) {
    (void)instance;
    (void)network;
    (void)err;
    *out_count = 1;
    if (capacity < 1) return JOULE_BUFFER_TOO_SMALL;
    terms[0]->kind = JOULE_TERM_ADDITIVE;
    terms[0]->phase = JOULE_PHASE_UPDATE;
    terms[0]->name = "weight_update";
    terms[0]->flags = JOULE_ESTIMATE_TIME;
    terms[0]->time_seconds = NAN;
    return JOULE_OK;
}
#endif

static const joule_cost_model faulty_model = {
    .struct_size = sizeof(joule_cost_model),
    .capabilities = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_POWER,
    .id = "faulty",
    .version = "0.0.1",
    .description = "misbehaves on purpose",
    .create = faulty_create,
    .destroy = faulty_destroy,
    .supports = faulty_supports,
    .estimate_layer = faulty_estimate_layer,
#if defined(FAULTY_NAN_TERM)
    .estimate_network = faulty_estimate_network,
#endif
#if defined(FAULTY_BATCH)
    .estimate_layers = faulty_estimate_layers,
#endif
};

static const joule_cost_model *const models[] = {&faulty_model};

static const joule_plugin plugin = {
    .struct_size = sizeof(joule_plugin),
    .abi_version = JOULE_ABI_VERSION,
    .name = FAULTY_NAME,
    .version = "0.0.1",
    .description = "a cost model that fails on purpose",
    .cost_model_count = 1,
    .cost_models = models,
};

JOULE_PLUGIN_EXPORT joule_status joule_plugin_init(uint32_t *inout_abi, const joule_host_api *host,
                                                   const joule_plugin **out_plugin, joule_error *err) {
    (void)host;
    joule_status status = joule_negotiate_abi(inout_abi, err);
    if (status != JOULE_OK) return status;
    *out_plugin = &plugin;
    return JOULE_OK;
}
