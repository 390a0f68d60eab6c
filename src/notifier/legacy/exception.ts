// What an exception object becomes in a legacy payload. Legacy payloads go through
// JsonPayloadSerializer → oslo jsonutils.to_primitive(convert_instances=True), which turns an
// object into its __dict__: a NovaException has `kwargs` (with `code`) and `message`
// (nova/exception.py NovaException.__init__); a Python built-in exception has an empty __dict__.
// novasim does not know an exception's format kwargs, so `kwargs` holds `code` only.
import type { Instance } from '../../domain.js';
import type { ExceptionInfo } from '../payloads/exception.js';
import { pyStrAware } from './python-format.js';

export function legacyExceptionPayload(exc: ExceptionInfo): Record<string, unknown> {
  if (!exc.novaException) return {};
  return { kwargs: { code: exc.code ?? 500 }, message: exc.exception_message };
}

/**
 * An Instance argument in wrap_exception's legacy `args`: to_primitive turns the object into the
 * dict of its set fields. novasim lists the Instance fields it holds, in Nova's spellings.
 */
export function legacyInstanceArg(i: Instance): Record<string, unknown> {
  return {
    uuid: i.uuid, user_id: i.user_id, project_id: i.project_id, display_name: i.display_name,
    display_description: i.display_description, hostname: i.hostname, reservation_id: i.reservation_id,
    launch_index: i.launch_index, host: i.host, node: i.node, availability_zone: i.availability_zone,
    image_ref: i.image_ref, kernel_id: i.kernel_id, ramdisk_id: i.ramdisk_id, key_name: i.key_name,
    os_type: i.os_type, architecture: i.architecture, vm_state: i.vm_state, task_state: i.task_state,
    power_state: i.power_state, progress: i.progress, locked: i.locked, locked_by: i.locked_by,
    root_device_name: i.root_device_name, config_drive: i.config_drive, auto_disk_config: i.auto_disk_config,
    instance_type_id: i.flavor.id, memory_mb: i.flavor.memory_mb, vcpus: i.flavor.vcpus,
    root_gb: i.flavor.root_gb, ephemeral_gb: i.flavor.ephemeral_gb,
    metadata: { ...i.metadata }, system_metadata: { ...i.system_metadata },
    created_at: pyStrAware(i.created_at), updated_at: i.updated_at ? pyStrAware(i.updated_at) : null,
    launched_at: i.launched_at ? pyStrAware(i.launched_at) : null,
    terminated_at: i.terminated_at ? pyStrAware(i.terminated_at) : null,
    deleted_at: i.deleted_at ? pyStrAware(i.deleted_at) : null, deleted: i.deleted,
  };
}
