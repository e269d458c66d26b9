/** The shortest secret an admin may set (generated ones are 24 characters, 144 random bits). */
export const MIN_DEVICE_SECRET_LENGTH = 16;
