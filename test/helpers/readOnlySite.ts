/**
 * A site config with read-only roots (/prod, the models folder), ASTRAN's workspace (/ws) and an official DL2 copy
 * under /prod: the fixture of the read-only-root tests (check-config, official paths).
 */
export const RAW = {
  data: { base: '/prod', night_index: 'run_catalog', run_catalog: '{base}/rc/RunCatalog_{night}.ecsv', workspace: '/ws', read_only_roots: ['{base}', '{models_root}'] },
  paths: {
    dl1: '{base}/DL1/{night}/dl1_LST-1.Run{run:05}.h5',
    dl2_dir: '{workspace}/DL2/{night}',
    dl2: '{dl2_dir}/dl2_LST-1.Run{run:05}.h5',
    dl3_dir: '{workspace}/DL3/{night}/{source_dir}',
    dl3: '{dl3_dir}/dl3_LST-1.Run{run:05}.fits.gz',
    dl3_index: '{dl3_dir}/obs-index.fits.gz',
  },
  official_paths: { dl2: '{base}/DL2/{night}/dl2_LST-1.Run{run:05}.h5' },
  vars: { models_root: '/models' },
  pipeline: {
    stages: [
      { name: 'dl1_to_dl2', per: 'run', inputs: ['{dl1}'], outputs: ['{dl2}'], mkdirs: ['{dl2_dir}'], command: ['t12', '-f', '{dl1}', '-o', '{dl2_dir}'] },
      { name: 'dl2_to_dl3', per: 'run', inputs: ['{dl2}'], outputs: ['{dl3}'], mkdirs: ['{dl3_dir}'], command: ['t23', '-d', '{dl2}', '-o', '{dl3_dir}'] },
      { name: 'dl3_index', per: 'night', outputs: ['{dl3_index}'], command: ['idx', '-d', '{dl3_dir}'] },
    ],
  },
};
export const subject = { source: 'Crab Nebula', ra: 83.63, dec: 22.01, runs: [{ runId: 1807, night: '20231207' }, { runId: 1808, night: '20231207' }] };
