/*
 * roofline_time.c -- plain C with no Joule header: the roofline bound as one function.
 *
 * Joule calls it through libffi, as roofline.ffi.json describes: the host binds each
 * argument to a layer feature or a GPU profile number and reads the result as seconds.
 *
 * Build:  cc -std=c99 -shared -fPIC roofline_time.c -o libroofline_time.so
 * Use:    joule models --plugin-path roofline.ffi.json --gpu T4
 */
double roofline_time_seconds(double flops, double input_bytes, double output_bytes, double weight_bytes,
                             double peak_flops_per_second, double bandwidth_bytes_per_second) {
    double compute = flops / peak_flops_per_second;
    double memory = (input_bytes + output_bytes + weight_bytes) / bandwidth_bytes_per_second;
    return compute > memory ? compute : memory;
}
