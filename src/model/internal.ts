/** Model methods for inferline's other layers only (the repository), behind symbols. */
export const kResetStats = Symbol('inferline.model.resetStats');
