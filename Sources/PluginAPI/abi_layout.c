/*
 * Compile-time pins of the ABI layout on LP64 targets (x86_64, aarch64 Linux).
 *
 * Built with every build of the PluginAPI target, so an edit that moves a field of
 * joule_plugin.h fails the build instead of silently breaking plugins already compiled.
 * Tests/PluginAPITests checks the same offsets again from a separately compiled C program
 * and from Swift's view of the imported structs.
 */
#include "joule_plugin.h"

#if defined(__LP64__)
#define PIN(type, field, offset) \
    _Static_assert(offsetof(type, field) == (offset), #type "." #field " moved: the ABI is append-only")
#define SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), #type " changed size: append under a new minor version and update the pins")

PIN(joule_error, message, 0);
PIN(joule_error, capacity, 8);
SIZE(joule_error, 16);

PIN(joule_host_api, struct_size, 0);
PIN(joule_host_api, abi_version, 4);
PIN(joule_host_api, host_data, 8);
PIN(joule_host_api, host_version, 16);
PIN(joule_host_api, log, 24);
PIN(joule_host_api, get_service, 32);
SIZE(joule_host_api, 40);

PIN(joule_source_note, field, 0);
PIN(joule_source_note, note, 8);
SIZE(joule_source_note, 16);

PIN(joule_hardware_profile, struct_size, 0);
PIN(joule_hardware_profile, device_kind, 4);
PIN(joule_hardware_profile, id, 8);
PIN(joule_hardware_profile, name, 16);
PIN(joule_hardware_profile, vendor, 24);
PIN(joule_hardware_profile, architecture, 32);
PIN(joule_hardware_profile, aliases, 40);
PIN(joule_hardware_profile, alias_count, 48);
PIN(joule_hardware_profile, source_note_count, 52);
PIN(joule_hardware_profile, peak_flops_fp32, 56);
PIN(joule_hardware_profile, peak_flops_fp16, 64);
PIN(joule_hardware_profile, peak_flops_tensor, 72);
PIN(joule_hardware_profile, memory_bandwidth_bytes_per_second, 80);
PIN(joule_hardware_profile, memory_bytes, 88);
PIN(joule_hardware_profile, tdp_watts, 96);
PIN(joule_hardware_profile, idle_watts, 104);
PIN(joule_hardware_profile, clock_hz, 112);
PIN(joule_hardware_profile, interconnect_bytes_per_second, 120);
PIN(joule_hardware_profile, host_link_bytes_per_second, 128);
PIN(joule_hardware_profile, source_notes, 136);
PIN(joule_hardware_profile, model_files, 144);
PIN(joule_hardware_profile, model_file_count, 152);
SIZE(joule_hardware_profile, 160);

PIN(joule_profile_loader, struct_size, 0);
PIN(joule_profile_loader, id, 8);
PIN(joule_profile_loader, description, 16);
PIN(joule_profile_loader, file_suffix, 24);
PIN(joule_profile_loader, plugin_data, 32);
PIN(joule_profile_loader, load_file, 40);
SIZE(joule_profile_loader, 48);

PIN(joule_shape, rank, 0);
PIN(joule_shape, dims, 8);
SIZE(joule_shape, 72);

PIN(joule_layer, struct_size, 0);
PIN(joule_layer, op, 4);
PIN(joule_layer, variant, 8);
PIN(joule_layer, direction, 12);
PIN(joule_layer, flags, 16);
PIN(joule_layer, precision, 20);
PIN(joule_layer, name, 24);
PIN(joule_layer, type_name, 32);
PIN(joule_layer, batch, 40);
PIN(joule_layer, input_count, 48);
PIN(joule_layer, padding_mode, 52);
PIN(joule_layer, inputs, 56);
PIN(joule_layer, output, 64);
PIN(joule_layer, kernel, 136);
PIN(joule_layer, stride, 152);
PIN(joule_layer, padding, 168);
PIN(joule_layer, dilation, 200);
PIN(joule_layer, groups, 216);
PIN(joule_layer, params, 224);
PIN(joule_layer, flops, 232);
PIN(joule_layer, input_bytes, 240);
PIN(joule_layer, output_bytes, 248);
PIN(joule_layer, weight_bytes, 256);
PIN(joule_layer, device, 264);
PIN(joule_layer, input_devices, 272);
PIN(joule_layer, spec_batch, 280);
SIZE(joule_layer, 288);

PIN(joule_network, struct_size, 0);
PIN(joule_network, mode, 4);
PIN(joule_network, name, 8);
PIN(joule_network, batch, 16);
PIN(joule_network, layer_count, 24);
PIN(joule_network, precision, 28);
PIN(joule_network, layers, 32);
PIN(joule_network, params, 40);
PIN(joule_network, weight_bytes, 48);
PIN(joule_network, parent_offsets, 56);
PIN(joule_network, parent_indices, 64);
SIZE(joule_network, 72);

PIN(joule_estimate, struct_size, 0);
PIN(joule_estimate, flags, 4);
PIN(joule_estimate, time_seconds, 8);
PIN(joule_estimate, power_watts, 16);
PIN(joule_estimate, energy_joules, 24);
PIN(joule_estimate, compute_seconds, 32);
PIN(joule_estimate, memory_seconds, 40);
PIN(joule_estimate, detail, 48);
PIN(joule_estimate, detail_capacity, 56);
PIN(joule_estimate, flops, 64);
PIN(joule_estimate, memory_bytes, 72);
SIZE(joule_estimate, 80);

PIN(joule_network_term, struct_size, 0);
PIN(joule_network_term, kind, 4);
PIN(joule_network_term, phase, 8);
PIN(joule_network_term, flags, 12);
PIN(joule_network_term, name, 16);
PIN(joule_network_term, time_seconds, 24);
PIN(joule_network_term, power_watts, 32);
PIN(joule_network_term, energy_joules, 40);
PIN(joule_network_term, compute_seconds, 48);
PIN(joule_network_term, memory_seconds, 56);
SIZE(joule_network_term, 64);

PIN(joule_option, key, 0);
PIN(joule_option, value, 8);
SIZE(joule_option, 16);

PIN(joule_option_info, key, 0);
PIN(joule_option_info, description, 8);
PIN(joule_option_info, default_value, 16);
SIZE(joule_option_info, 24);

PIN(joule_cost_model, struct_size, 0);
PIN(joule_cost_model, capabilities, 4);
PIN(joule_cost_model, id, 8);
PIN(joule_cost_model, version, 16);
PIN(joule_cost_model, description, 24);
PIN(joule_cost_model, plugin_data, 32);
PIN(joule_cost_model, options, 40);
PIN(joule_cost_model, option_count, 48);
PIN(joule_cost_model, create, 56);
PIN(joule_cost_model, destroy, 64);
PIN(joule_cost_model, supports, 72);
PIN(joule_cost_model, estimate_layer, 80);
PIN(joule_cost_model, estimate_network, 88);
PIN(joule_cost_model, estimate_layers, 96);
PIN(joule_cost_model, describe_instance, 104);
SIZE(joule_cost_model, 112);

PIN(joule_plugin, struct_size, 0);
PIN(joule_plugin, abi_version, 4);
PIN(joule_plugin, name, 8);
PIN(joule_plugin, version, 16);
PIN(joule_plugin, description, 24);
PIN(joule_plugin, swift_toolchain, 32);
PIN(joule_plugin, cost_model_count, 40);
PIN(joule_plugin, profile_count, 44);
PIN(joule_plugin, cost_models, 48);
PIN(joule_plugin, profiles, 56);
PIN(joule_plugin, profile_loader_count, 64);
PIN(joule_plugin, profile_loaders, 72);
SIZE(joule_plugin, 80);
#endif

