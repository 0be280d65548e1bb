/*
 * ffi_functions.c -- plain C functions with no Joule header, called through an FFI manifest.
 *
 * Each result encodes its arguments by position, so a test can tell whether the host passed
 * the right values in the right order and converted each to the declared type.
 */
#include <stdint.h>

/* batch * 1e6 + out_channels * 1e3 + kernel + flops * 1e-9, in milliseconds. */
double conv_time_ms(int32_t batch, int64_t out_channels, float kernel, double flops) {
    return (double)batch * 1e6 + (double)out_channels * 1e3 + (double)kernel + flops * 1e-9;
}

/* 100 W plus one watt per sample, returned as float. */
float conv_power_w(int32_t batch) {
    return 100.0f + (float)batch;
}

/* params / 1000, in millijoules, returned as an integer. */
int64_t fc_energy_mj(int64_t params) {
    return params / 1000;
}

/* A function with no arguments: a constant 2 microseconds. */
int32_t pool_time_us(void) {
    return 2;
}
