// SFTP over one channel: promise-based requests, pipelined transfers, safe saves, typed errors.
export { Attributes, ChannelOptions, DEFAULT_REQUEST_TIMEOUT_MS, DirEntry, SftpHandle, SftpLimits } from './channel';
export { ConflictError, SftpError, SftpErrorReason, SftpStatus, STATUS_CODE, unlessUnreachable } from './errors';
export { FileVersion, versionOf, withExecBits, WriteOptions } from './safeSave';
export { DEFAULT_MAX_LISTING_BYTES, DEFAULT_MAX_LISTING_ENTRIES, MAX_NAME_BYTES } from './listingBudget';
export { CopyOptions, ReaddirOptions, ReadOptions, RenameOptions, SftpSession } from './session';
export { isTempPath, TEMP_NAME } from './tempFiles';
export { ChunkSink, ChunkSource, DEFAULT_CHUNK, DEFAULT_MAX_GROWTH_BYTES, DEFAULT_READ_CONCURRENCY, DEFAULT_WRITE_CONCURRENCY, ReadWholeOptions, StreamOptions, TransferOptions } from './transfer';
export { copyTree, removeTree, TreeOptions } from './tree';
export { isDotEntry, isLossyName, joinRemotePath, LOSSY_NAME_REASON } from './names';
